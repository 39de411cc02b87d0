import { httpStatus, TestStack, waitFor } from '@relay/testing';

describe('stack', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 2 });
  }, 60000);

  afterAll(async () => {
    await stack?.close();
  });

  it('stack - every process answers healthz, readyz and metrics', async () => {
    const apps = [...stack.gateways, ...stack.chat, ...stack.presence, ...stack.notification];
    expect(apps).toHaveLength(5);
    for (const app of apps) {
      expect(await httpStatus(`http://127.0.0.1:${app.port}/healthz`)).toBe(200);
      expect(await httpStatus(`http://127.0.0.1:${app.port}/readyz`)).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${app.port}/metrics`)).text();
      expect(metrics).toContain('process_cpu_seconds_total');
      expect(metrics).toContain(`service="${app.name}"`);
    }
  });

  it('stack - SIGTERM shuts a service down cleanly with exit code 0', async () => {
    const extra = await stack.add('chat-service');
    expect(await extra.stop()).toBe(0);
    expect(extra.logs).toContain('shutdown complete');
  });

  it('stack - readyz turns 503 while Redis is down and 200 when it is back, without a restart', async () => {
    const chat = stack.chat[0];
    await stack.redis.server.kill();
    await waitFor(async () => (await httpStatus(`http://127.0.0.1:${chat.port}/readyz`)) === 503, { what: 'readyz 503', timeoutMs: 10000 });
    await stack.redis.server.start();
    await waitFor(async () => (await httpStatus(`http://127.0.0.1:${chat.port}/readyz`)) === 200, { what: 'readyz 200', timeoutMs: 10000 });
    expect(chat.running).toBe(true);
  });
});
