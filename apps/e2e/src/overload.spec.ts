/**
 * Overload is admission control, not failure (real nats-server, redis-server, chat-service and
 * gateways as processes). chat-service is made busy but healthy: its Redis is held by a stream of
 * short blocking scripts, so every request it serves is slow, and it still answers. Then:
 * - a gateway with a small in-flight bound refuses the excess at once with SERVICE_UNAVAILABLE
 *   and `retryAfterMs`, stores what it admitted, and its breaker stays closed;
 * - a gateway with no effective bound lets requests pile up until some time out while others
 *   are answered: those timeouts are not failures of chat-service, and the breaker stays closed;
 * - when the load ends, both serve sends again at once, by themselves.
 */
import Redis from 'ioredis';
import { TestStack, uniqueName, waitFor, type TestClient } from '@relay/testing';

type Frame = Record<string, unknown>;

/** Holds Redis for `ms` per call (a busy loop inside one script: Redis serves nobody meanwhile). */
const HOLD_SCRIPT = `
local t = redis.call('TIME')
local start = tonumber(t[1]) * 1000000 + tonumber(t[2])
while true do
  local n = redis.call('TIME')
  if tonumber(n[1]) * 1000000 + tonumber(n[2]) - start >= tonumber(ARGV[1]) * 1000 then return 1 end
end`;

describe('overload: admission control at the gateway', () => {
  let stack: TestStack;
  let redis: Redis;
  let holding = false;
  let holder: Promise<void> | undefined;

  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 0, env: { RATE_PER_SEC: '100000', RATE_BURST: '100000', BREAKER_RESET_MS: '60000', LOG_LEVEL: 'warn' } });
    // Gateway 0: a small admission bound. Gateway 1: effectively none, and a short timeout.
    await stack.add('ws-gateway', { CHAT_MAX_IN_FLIGHT: '4', OVERLOAD_RETRY_AFTER_MS: '300', REQUEST_TIMEOUT_MS: '3000' });
    await stack.add('ws-gateway', { CHAT_MAX_IN_FLIGHT: '100000', REQUEST_TIMEOUT_MS: '300' });
    redis = new Redis(stack.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
  }, 120000);

  afterAll(async () => {
    holding = false;
    await holder;
    redis?.disconnect();
    await stack?.close();
  });

  /** Keeps chat-service's Redis busy: 40 ms held, a moment free, again, until stopped. */
  function makeChatBusy(): void {
    holding = true;
    holder = (async () => {
      while (holding) await redis.eval(HOLD_SCRIPT, 0, '40');
    })();
  }

  async function endLoad(): Promise<void> {
    holding = false;
    await holder;
  }

  async function breakerState(gatewayIndex: number): Promise<string> {
    const body = (await (await fetch(`${stack.httpUrl(gatewayIndex)}/readyz`)).json()) as { breakers?: Record<string, string> };
    return body.breakers?.['chat-service'] ?? 'unknown';
  }

  async function burst(clients: TestClient[], room: string, perClient: number, timeoutMs: number): Promise<Frame[]> {
    return Promise.all(clients.flatMap((c, i) => Array.from({ length: perClient }, (_, n) => c.request({ type: 'send', room, text: `burst ${i}-${n}` }, timeoutMs) as Promise<Frame>)));
  }

  async function joinedClients(gatewayIndex: number, room: string, count: number): Promise<TestClient[]> {
    const clients: TestClient[] = [];
    for (let i = 0; i < count; i++) {
      const c = await stack.connect(uniqueName('user'), gatewayIndex);
      expect(await c.request({ type: 'join', room })).toMatchObject({ type: 'joined' });
      clients.push(c);
    }
    return clients;
  }

  it('overload - a busy chat-service: the excess is refused at once with retryAfterMs, the admitted sends are stored, the breaker stays closed, sends work again after', async () => {
    const room = uniqueName('room');
    const clients = await joinedClients(0, room, 3);
    makeChatBusy();
    let replies: Frame[];
    try {
      replies = await burst(clients, room, 20, 15000);
      expect(await breakerState(0)).toBe('closed');
    } finally {
      await endLoad();
    }
    const refused = replies.filter((r) => r.type === 'error');
    const sent = replies.filter((r) => r.type === 'sent');
    expect(sent.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    expect(sent.length + refused.length).toBe(60);
    for (const r of refused) {
      expect(r).toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: expect.stringMatching(/chat is at capacity/) });
      expect(r.retryAfterMs).toEqual(expect.any(Number));
      expect(r.retryAfterMs as number).toBeGreaterThanOrEqual(300);
    }
    // What was admitted was stored: every acknowledged seq is in the room's history.
    const history = (await clients[0].request({ type: 'history', room, limit: 100 })) as unknown as { messages: Array<{ seq: number }> };
    const stored = new Set(history.messages.map((m) => m.seq));
    for (const s of sent) expect(stored.has(s.seq as number)).toBe(true);
    expect(await breakerState(0)).toBe('closed');
    // Recovery by itself: the next send is accepted.
    expect(await clients[1].request({ type: 'send', room, text: 'after the load' })).toMatchObject({ type: 'sent' });
  }, 60000);

  it('overload - requests of a busy chat-service that time out in its queue do not open the breaker; sends work again when the load ends', async () => {
    const room = uniqueName('room');
    const clients = await joinedClients(1, room, 4);
    makeChatBusy();
    let replies: Frame[];
    try {
      replies = await burst(clients, room, 100, 15000);
      expect(await breakerState(1)).toBe('closed');
    } finally {
      await endLoad();
    }
    const timedOut = replies.filter((r) => r.type === 'error');
    const sent = replies.filter((r) => r.type === 'sent');
    // Busy, not down: answers kept coming. Whether some also waited past the 300 ms timeout
    // depends on how loaded the machine is (on a quiet one none do), so it is not asserted here;
    // the rule that such a timeout is not a failure while the target answers is proven with fake
    // timers in libs/service-kit/src/breaker.spec.ts. What must hold either way: the breaker stays
    // closed and every refusal is the clear error.
    expect(sent.length).toBeGreaterThan(0);
    for (const r of timedOut) expect(r).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(await breakerState(1)).toBe('closed');
    const after = await waitFor(
      async () => {
        const r = (await clients[0].request({ type: 'send', room, text: 'after the load' })) as Frame;
        return r.type === 'sent' ? r : undefined;
      },
      { what: 'a send to be stored after the load', timeoutMs: 5000, intervalMs: 100 },
    );
    expect(after).toMatchObject({ type: 'sent' });
  }, 60000);
});
