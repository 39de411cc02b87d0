import Redis from 'ioredis';
import { ChatHistory, ChatJoin, ChatSend, isContractError, type ContractError } from '@relay/contracts';
import { startNats, startRedis, uniqueName, waitFor, type TestNats, type TestRedis } from '@relay/testing';
import type { ChatApp } from '../src/app';
import { connectClient, counterValue, recordingLogger, REQ, startChat, type TestClient } from './harness';

async function refusal(p: Promise<unknown>): Promise<ContractError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isContractError(err)) throw new Error(`expected a ContractError, got ${String(err)}`);
  return err;
}

describe('chat resilience', () => {
  let nats: TestNats;
  let redis: TestRedis;
  let client: TestClient;

  beforeAll(async () => {
    [nats, redis] = await Promise.all([startNats(), startRedis()]);
    client = await connectClient(nats.url);
  });

  afterAll(async () => {
    await client?.close();
    await Promise.all([nats?.close(), redis?.close()]);
  });

  describe('redis outage', () => {
    let app: ChatApp;
    let logs: ReturnType<typeof recordingLogger>;

    beforeAll(async () => {
      logs = recordingLogger();
      app = await startChat(nats.url, redis.url, {}, logs.logger);
    });

    afterAll(async () => {
      await app?.shutdown.run('test done');
    });

    it('redis - while Redis is down requests get DEPENDENCY_DOWN and /readyz is 503; it serves again once Redis is back', async () => {
      const room = uniqueName('room');
      expect((await client.bus.request(ChatSend, { room, user: 'alice', text: 'before' }, REQ)).seq).toBe(1);
      expect((await app.http.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);

      await redis.server.kill();
      await waitFor(async () => (await app.http.inject({ method: 'GET', url: '/readyz' })).statusCode === 503, { what: 'readyz 503', timeoutMs: 10000 });
      const readyz = (await app.http.inject({ method: 'GET', url: '/readyz' })).json<{ checks: Record<string, boolean> }>();
      expect(readyz.checks).toEqual(expect.objectContaining({ redis: false, nats: true }));

      // Answered well inside the request timeout: DEPENDENCY_DOWN, not TIMEOUT.
      const down = await refusal(client.bus.request(ChatSend, { room, user: 'alice', text: 'during' }, { timeoutMs: 1500, correlationId: 'corr-outage' }));
      expect(down.toJSON()).toEqual({ code: 'DEPENDENCY_DOWN', retryable: true, service: 'chat-service', message: expect.stringContaining('CHAT_STORE_UNAVAILABLE') });
      expect(down.message).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
      expect((await refusal(client.bus.request(ChatHistory, { room, limit: 5 }, { timeoutMs: 1500 }))).code).toBe('DEPENDENCY_DOWN');
      expect((await refusal(client.bus.request(ChatJoin, { room, since: 0, cap: 10 }, { timeoutMs: 1500 }))).code).toBe('DEPENDENCY_DOWN');
      expect(await counterValue(app, 'relay_chat_errors_total', { code: 'CHAT_STORE_UNAVAILABLE' })).toBe(3);
      expect(await counterValue(app, 'relay_chat_requests_total', { type: 'send', outcome: 'DEPENDENCY_DOWN' })).toBe(1);
      // The failure is logged with the correlation id of the request.
      expect(logs.lines).toContainEqual(expect.objectContaining({ correlationId: 'corr-outage', type: 'send', msg: 'request failed: dependency' }));

      await redis.server.start();
      await waitFor(async () => (await app.http.inject({ method: 'GET', url: '/readyz' })).statusCode === 200, { what: 'readyz 200', timeoutMs: 10000 });
      // The restarted Redis kept nothing (no persistence in tests) and has no script cached:
      // the store reloads it by itself.
      const again = await client.bus.request(ChatSend, { room: uniqueName('room'), user: 'alice', text: 'after', clientMsgId: 'a1' }, REQ);
      expect(again).toEqual(expect.objectContaining({ seq: 1, duplicate: false }));
    });
  });

  describe('graceful shutdown', () => {
    it('shutdown - a request in flight when shutdown starts is answered, then the instance stops serving', async () => {
      const app = await startChat(nats.url, redis.url);
      const pauser = new Redis(redis.url);
      try {
        const room = uniqueName('room');
        // Hold every Redis command for a moment so the send is certainly in flight.
        await pauser.call('CLIENT', 'PAUSE', '700', 'ALL');
        const reply = client.bus.request(ChatSend, { room, user: 'alice', text: 'in flight' }, REQ);
        await waitFor(() => app.bus.inFlight === 1, { what: 'send in flight', timeoutMs: 3000 });
        const stopping = app.shutdown.run('test');
        await expect(reply).resolves.toEqual(expect.objectContaining({ seq: 1, duplicate: false }));
        await stopping;
        expect(app.nc.isClosed()).toBe(true);
        await waitFor(() => app.redis?.status === 'end', { what: 'redis client ended', timeoutMs: 3000 });
        // Nobody serves any more: the request is refused at once rather than lost in a queue.
        expect((await refusal(client.bus.request(ChatSend, { room, user: 'alice', text: 'late' }, { timeoutMs: 1000 }))).code).toBe('NO_RESPONDERS');
      } finally {
        await pauser.quit();
        await app.shutdown.run('cleanup');
      }
    });
  });
});
