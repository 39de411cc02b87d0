import WebSocket from 'ws';
import { signToken, TEST_JWT_SECRET, TestClient, TestStack, uniqueName } from '@relay/testing';

/**
 * A gateway process holding thousands of sockets gets SIGTERM: it refuses new upgrades at once
 * and closes the sockets with 1012 spread over DRAIN_SPREAD_PERCENT of SHUTDOWN_TIMEOUT_MS, not
 * in one burst (docs/deployment.md, "Scaling down").
 */
const SOCKETS = 2000;
const SHUTDOWN_TIMEOUT_MS = 8000;
const SPREAD_PERCENT = 50; // 4 s of closes

interface Closed {
  code: number;
  at: number;
}

function openSocket(url: string, user: string): Promise<{ ws: WebSocket; closed: Promise<Closed> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}?token=${encodeURIComponent(signToken(user, TEST_JWT_SECRET))}`);
    const closed = new Promise<Closed>((done) => ws.once('close', (code) => done({ code, at: Date.now() })));
    ws.once('open', () => resolve({ ws, closed }));
    ws.once('error', reject);
  });
}

describe('gateway scale-down', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({
      gateways: 1,
      appEnv: { 'ws-gateway': { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS), DRAIN_SPREAD_PERCENT: String(SPREAD_PERCENT), RATE_PER_SEC: '1000' } },
    });
  }, 90000);

  afterAll(async () => {
    await stack?.close();
  });

  it(`gateway drain - ${SOCKETS} sockets closed with 1012 over the spread window, new upgrades refused meanwhile`, async () => {
    const url = stack.wsUrl(0);
    const prefix = uniqueName('d');
    const sockets: { ws: WebSocket; closed: Promise<Closed> }[] = [];
    try {
      // Opened in batches so the test's own connect burst stays modest on a shared machine.
      for (let i = 0; i < SOCKETS; i += 100) {
        sockets.push(...(await Promise.all(Array.from({ length: Math.min(100, SOCKETS - i) }, (_, k) => openSocket(url, `${prefix}-${i + k}`)))));
      }
      const gateway = stack.gateways[0];
      const stopped = gateway.stop(SHUTDOWN_TIMEOUT_MS + 10000);
      const first = await Promise.race(sockets.map((s) => s.closed));
      // Draining: a new client is turned away rather than accepted and closed again.
      await expect(TestClient.connect(url, signToken(`${prefix}-late`, TEST_JWT_SECRET))).rejects.toThrow(/503|ECONNREFUSED|ECONNRESET|socket hang up/);
      const closes = await Promise.all(sockets.map((s) => s.closed));
      expect(await stopped).toBe(0);

      expect(closes.filter((c) => c.code !== 1012)).toEqual([]);
      const span = Math.max(...closes.map((c) => c.at)) - first.at;
      const windowMs = (SHUTDOWN_TIMEOUT_MS * SPREAD_PERCENT) / 100;
      // Spread, not a burst: the closes take most of the window and no second holds half of them.
      expect(span).toBeGreaterThan(windowMs / 2);
      const perSecond = new Map<number, number>();
      for (const c of closes) perSecond.set(Math.floor((c.at - first.at) / 1000), (perSecond.get(Math.floor((c.at - first.at) / 1000)) ?? 0) + 1);
      expect(Math.max(...perSecond.values())).toBeLessThan(SOCKETS / 2);
    } finally {
      for (const s of sockets) s.ws.terminate();
    }
  }, 120000);
});
