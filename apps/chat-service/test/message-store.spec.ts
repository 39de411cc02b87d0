import Redis from 'ioredis';
import { startRedis, uniqueName, type TestRedis } from '@relay/testing';
import type { Bus, MessageMeta } from '@relay/bus';
import pino from 'pino';
import { createMetrics } from '@relay/service-kit';
import { createChatHandlers } from '../src/chat-handlers';
import { createChatMetrics } from '../src/metrics';
import { MessageStore } from '../src/message-store';
import { roomKeys } from '../src/room-keys';

describe('message store', () => {
  let redis: TestRedis;
  let client: Redis;

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
  });

  afterAll(async () => {
    await client?.quit();
    await redis?.close();
  });

  const msg = (room: string, n: number, clientMsgId?: string) => ({ room, from: 'alice', text: `m${n}`, id: `id${n}`, ts: 1000 + n, clientMsgId });

  it('message store - the history is capped and a join past the trimmed part cannot be served exactly', async () => {
    const store = new MessageStore(client, { historyMaxPerRoom: 5, clientMsgIdTtlSec: 60 });
    const room = uniqueName('room');
    for (let i = 1; i <= 8; i++) await store.append(msg(room, i));
    expect(await client.zcard(roomKeys(room).log)).toBe(5);
    expect((await store.position(room)).seq).toBe(8);
    expect((await store.before(room, undefined, 100)).map((m) => m.seq)).toEqual([4, 5, 6, 7, 8]);
    expect((await store.range(room, 2, 8)).map((m) => m.seq)).toEqual([4, 5, 6, 7, 8]);
  });

  it('join - a since within the cap but older than the trimmed history is not recovered', async () => {
    const store = new MessageStore(client, { historyMaxPerRoom: 5, clientMsgIdTtlSec: 60 });
    const handlers = createChatHandlers({
      store,
      bus: { publish: () => undefined } as unknown as Bus,
      logger: pino({ level: 'silent' }),
      metrics: createChatMetrics(createMetrics('chat-service', 'unit')),
      textMaxChars: 4000,
    });
    const room = uniqueName('room');
    for (let i = 1; i <= 8; i++) await store.append(msg(room, i));
    const meta = { correlationId: 'c' } as MessageMeta;
    expect(await handlers.join({ room, since: 2, cap: 100 }, meta)).toEqual({ seq: 8, epoch: 'id1', recovered: false, messages: [] });
    const ok = await handlers.join({ room, since: 3, cap: 100 }, meta);
    expect([ok.recovered, ok.messages.map((m) => m.seq)]).toEqual([true, [4, 5, 6, 7, 8]]);
  });

  it('message store - the clientMsgId record is scoped to user and room and expires after its TTL', async () => {
    const store = new MessageStore(client, { historyMaxPerRoom: 100, clientMsgIdTtlSec: 86400 });
    const room = uniqueName('room');
    const first = await store.append(msg(room, 1, 'cm'));
    const keys = await client.keys(`chat:{${room}}:*`);
    expect(keys.sort()).toEqual([`chat:{${room}}:cmid:alice:cm`, `chat:{${room}}:epoch`, `chat:{${room}}:log`, `chat:{${room}}:seq`]);
    const ttl = await client.ttl(`chat:{${room}}:cmid:alice:cm`);
    expect(ttl).toBeGreaterThan(86000);
    expect(ttl).toBeLessThanOrEqual(86400);
    const dup = await store.append({ ...msg(room, 2, 'cm') });
    expect(dup).toEqual({ duplicate: true, message: { room, from: 'alice', text: 'm2', id: 'id1', seq: 1, ts: 1001 } });
    expect(first.duplicate).toBe(false);
    // Once the record is gone the same clientMsgId is a new message.
    await client.del(`chat:{${room}}:cmid:alice:cm`);
    expect((await store.append(msg(room, 3, 'cm'))).message.seq).toBe(2);
  });

  it('message store - text with JSON-special characters round-trips exactly', async () => {
    const store = new MessageStore(client, { historyMaxPerRoom: 100, clientMsgIdTtlSec: 60 });
    const room = uniqueName('room');
    const text = 'quote " backslash \\ newline \n tab \t nul \u0000 emoji 😀 pipe | brace } "seq":9}';
    await store.append({ ...msg(room, 1), text });
    expect(await store.before(room, undefined, 1)).toEqual([{ room, from: 'alice', text, id: 'id1', seq: 1, ts: 1001, epoch: 'id1' }]);
  });
});
