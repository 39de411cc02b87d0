import { AppProcess, freePort, signToken, startNats, TestClient, type TestNats } from '@relay/testing';

describe('gateway process', () => {
  let nats: TestNats;

  beforeAll(async () => {
    nats = await startNats();
  });

  afterAll(async () => {
    await nats?.close();
  });

  it('gateway process - production with the development secret refuses to start with a clear message', async () => {
    const port = await freePort();
    const gw = new AppProcess('ws-gateway', {
      port,
      env: { NATS_URL: nats.url, PORT: String(port), NODE_ENV: 'production', JWT_SECRET: 'dev-secret-change-me' },
      readyTimeoutMs: 10000,
    });
    await expect(gw.start()).rejects.toThrow(/JWT_SECRET/);
    expect(gw.running).toBe(false);
    await gw.kill();
  });

  it('gateway process - SIGTERM closes sockets with 1012 and exits 0', async () => {
    const port = await freePort();
    const secret = 'process-test-secret';
    const gw = new AppProcess('ws-gateway', { port, env: { NATS_URL: nats.url, PORT: String(port), JWT_SECRET: secret, INSTANCE_ID: `gw-proc-${port}` } });
    await gw.start();
    try {
      const c = await TestClient.connect(`ws://127.0.0.1:${port}/ws`, signToken('alice', secret));
      expect(c.welcome).toMatchObject({ type: 'welcome', user: 'alice', gateway: `gw-proc-${port}` });
      const [code, closed] = await Promise.all([gw.stop(), c.closed]);
      expect(closed.code).toBe(1012);
      expect(code).toBe(0);
      expect(gw.logs).toContain('shutdown complete');
    } finally {
      await gw.kill();
    }
  });
});
