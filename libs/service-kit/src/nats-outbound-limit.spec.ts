import pino from 'pino';
import { isContractError } from '@relay/contracts';
import { startNats, waitFor, type TestNats } from '@relay/testing';
import type { NatsConnection } from 'nats';
import { connectNats, natsUsable } from './nats-connection';
import { limitOutboundWhileDisconnected } from './nats-outbound-limit';

describe('nats outbound limit', () => {
  let nats: TestNats;
  let nc: NatsConnection;

  beforeAll(async () => {
    nats = await startNats();
    nc = await connectNats({ url: nats.url, name: 'outbound-limit-test', logger: pino({ level: 'silent' }) });
  });

  afterAll(async () => {
    await nc?.close();
    await nats?.close();
  });

  it('nats outbound limit - while NATS is away publishes wait up to the limit, then are refused with a clear retryable error; after the reconnect they flow again', async () => {
    let refused = 0;
    expect(limitOutboundWhileDisconnected(nc, { maxBytes: 10 * 1024, service: 'test', onRefused: () => refused++ })).toBe(true);
    const payload = new Uint8Array(1024);
    nc.publish('limit.test', payload); // connected: never refused
    await nc.flush();

    await nats.server.stop();
    await waitFor(() => !natsUsable(nc), { what: 'the client to notice the outage' });
    let accepted = 0;
    let error: unknown;
    for (let i = 0; i < 50 && error === undefined; i++) {
      try {
        nc.publish('limit.test', payload);
        accepted++;
      } catch (err) {
        error = err;
      }
    }
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThanOrEqual(10);
    expect(isContractError(error) && error.code === 'DEPENDENCY_DOWN' && error.retryable).toBe(true);
    expect((error as Error).message).toContain('NATS_OUTBOUND_BUFFER_BYTES');
    expect(refused).toBe(1);
    // Requests go through the same buffer: refused too, not queued without bound.
    await expect(nc.request('limit.req', payload, { timeout: 1000 })).rejects.toMatchObject({ code: 'DEPENDENCY_DOWN' });

    await nats.server.start();
    await waitFor(() => natsUsable(nc), { timeoutMs: 15000, what: 'the reconnect' });
    const sub = nc.subscribe('limit.after', { max: 1 });
    nc.publish('limit.after', payload);
    for await (const m of sub) expect(m.data.length).toBe(1024);
  }, 60000);
});
