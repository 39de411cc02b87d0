import { uniqueName, waitFor } from '@relay/testing';
import { useGatewayWorld, type RunningGateway } from './harness';

async function breakerState(gw: RunningGateway, name: string): Promise<string> {
  const body = (await (await fetch(`${gw.http}/readyz`)).json()) as { breakers: Record<string, string> };
  return body.breakers[name];
}

describe('gateway breakers', () => {
  const world = useGatewayWorld({ REQUEST_TIMEOUT_MS: '300', BREAKER_RESET_MS: '500', RATE_PER_SEC: '1000', RATE_BURST: '1000' });

  it('breaker - a stopped chat-service is SERVICE_UNAVAILABLE, the breaker opens and answers at once, then closes when it is back', async () => {
    const { gw, fake } = world;
    const room = uniqueName('room');
    const c = await gw.connect('alice');
    await c.request({ type: 'join', room });
    fake.stopChat();
    await fake.nc.flush();
    const first = await c.request({ type: 'send', room, text: 'hello' });
    expect(first).toMatchObject({ type: 'error', code: 'SERVICE_UNAVAILABLE', message: expect.stringMatching(/chat/) });
    for (let i = 0; i < 5; i++) await c.request({ type: 'history', room });
    expect(await breakerState(gw, 'chat-service')).toBe('open');
    const metrics = await (await fetch(`${gw.http}/metrics`)).text();
    expect(metrics).toMatch(/relay_breaker_state\{breaker="chat-service"[^}]*\} 2/);
    // Open: answered without asking NATS (the fake is gone; a timeout would take 300 ms each).
    const t0 = performance.now();
    expect(await c.request({ type: 'send', room, text: 'again' })).toMatchObject({ type: 'error', code: 'SERVICE_UNAVAILABLE' });
    expect(performance.now() - t0).toBeLessThan(250);
    // Both failed sends are counted for the send error ratio (the one that timed out and the fast one).
    const after = await (await fetch(`${gw.http}/metrics`)).text();
    expect(after).toMatch(/relay_gateway_send_failures_total\{code="SERVICE_UNAVAILABLE"[^}]*\} 2\n/);
    fake.startChat();
    await fake.nc.flush();
    const sent = await waitFor(
      async () => {
        const r = await c.request({ type: 'send', room, text: 'back' });
        return r.type === 'sent' ? r : undefined;
      },
      { what: 'send to succeed after the breaker closes', timeoutMs: 5000, intervalMs: 100 },
    );
    expect(sent).toMatchObject({ type: 'sent', seq: expect.any(Number) });
    expect(await breakerState(gw, 'chat-service')).toBe('closed');
  });

  it('breaker - a slow chat-service is SERVICE_UNAVAILABLE within the request timeout, never left hanging', async () => {
    const { gw, fake } = world;
    const room = uniqueName('room');
    const c = await gw.connect('bob');
    await c.request({ type: 'join', room });
    fake.chatDelayMs = 2000;
    try {
      const t0 = performance.now();
      expect(await c.request({ type: 'history', room }, 1500)).toMatchObject({ type: 'error', code: 'SERVICE_UNAVAILABLE' });
      expect(performance.now() - t0).toBeLessThan(1000);
    } finally {
      fake.chatDelayMs = 0;
    }
  });
});
