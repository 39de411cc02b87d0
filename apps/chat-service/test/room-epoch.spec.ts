/**
 * Room epochs against a real redis-server: a reset store starts a new epoch instead of reusing
 * seqs silently, and a durable (AOF) Redis keeps every acknowledged message across a restart.
 */
import Redis from 'ioredis';
import pino from 'pino';
import { newId } from '@relay/contracts';
import type { Bus, MessageMeta } from '@relay/bus';
import { createMetrics } from '@relay/service-kit';
import { startRedis, uniqueName, waitFor, type TestRedis } from '@relay/testing';
import { createChatHandlers } from '../src/chat-handlers';
import { createChatMetrics } from '../src/metrics';
import { MessageStore } from '../src/message-store';
import { roomKeys } from '../src/room-keys';

const meta = { correlationId: 'c' } as MessageMeta;

function handlersFor(store: MessageStore) {
  return createChatHandlers({
    store,
    bus: { publish: () => undefined, replyBudgetBytes: 1_000_000 } as unknown as Bus,
    logger: pino({ level: 'silent' }),
    metrics: createChatMetrics(createMetrics('chat-service', 'unit')),
    textMaxChars: 4000,
  });
}

const send = (store: MessageStore, room: string, text: string) => store.append({ room, from: 'alice', text, id: newId(), ts: Date.now() });

describe('room epoch', () => {
  let redis: TestRedis;
  let client: Redis;
  let store: MessageStore;

  beforeEach(async () => {
    redis = await startRedis({ durable: true });
    client = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    store = new MessageStore(client, { historyMaxPerRoom: 100, clientMsgIdTtlSec: 60 });
  });

  afterEach(async () => {
    client?.disconnect();
    await redis?.close();
  });

  it('room epoch - the first message (or join) creates it; messages, history and join replies carry the same one', async () => {
    const room = uniqueName('room');
    const before = await store.position(room);
    expect(before.seq).toBe(0);
    const first = await send(store, room, 'a');
    const second = await send(store, room, 'b');
    expect(first.message.epoch).toBe(before.epoch);
    expect(second.message.epoch).toBe(before.epoch);
    expect((await store.before(room, undefined, 10)).map((m) => m.epoch)).toEqual([before.epoch, before.epoch]);
    expect(await store.position(room)).toEqual({ seq: 2, epoch: before.epoch });
  });

  it('room positions - seq and epoch of many rooms in one call, read only (an unknown room stays without an epoch)', async () => {
    const room = uniqueName('room');
    const empty = uniqueName('empty');
    await send(store, room, 'a');
    const sent = await send(store, room, 'b');
    expect(await store.positions([room, empty])).toEqual([{ room, seq: 2, epoch: sent.message.epoch }, { room: empty, seq: 0 }]);
    expect(await client.exists(roomKeys(empty).epoch)).toBe(0);
  });

  it('room epoch - after FLUSHALL the room starts over at seq 1 in a later epoch, and a join with the old epoch is not recovered', async () => {
    const room = uniqueName('room');
    for (const t of ['a', 'b', 'c']) await send(store, room, t);
    const old = await store.position(room);
    await client.flushall();
    const next = await send(store, room, 'after the wipe');
    expect(next.message.seq).toBe(1);
    expect(next.message.epoch).toBeDefined();
    expect((next.message.epoch ?? '') > old.epoch).toBe(true);
    const handlers = handlersFor(store);
    // since 1 is within the new history: only the epoch tells the client's seqs are from another one.
    expect(await handlers.join({ room, since: 1, epoch: old.epoch, cap: 100 }, meta)).toEqual({ seq: 1, epoch: next.message.epoch, recovered: false, messages: [] });
    expect(await handlers.join({ room, since: 0, epoch: next.message.epoch, cap: 100 }, meta)).toMatchObject({ recovered: true, messages: [{ seq: 1 }] });
  });

  it('room epoch - a lost seq counter with history left continues after the newest stored message, in a new epoch', async () => {
    const room = uniqueName('room');
    for (const t of ['a', 'b', 'c']) await send(store, room, t);
    const old = await store.position(room);
    await client.del(roomKeys(room).seq);
    const next = await send(store, room, 'd');
    expect(next.message.seq).toBe(4);
    expect(next.message.epoch).not.toBe(old.epoch);
  });

  it('room epoch - acknowledged messages survive a restart of a durable (AOF) redis-server, and the restart starts a new epoch', async () => {
    const room = uniqueName('room');
    const acked = [];
    for (let i = 1; i <= 20; i++) acked.push((await send(store, room, `m${i}`)).message);
    const old = await store.position(room);
    await redis.server.restart();
    await waitFor(async () => client.status === 'ready', { timeoutMs: 10000 });
    const kept = await store.before(room, undefined, 100);
    expect(kept.map((m) => [m.id, m.seq, m.text])).toEqual(acked.map((m) => [m.id, m.seq, m.text]));
    // Redis cannot say whether its last second of writes made it to disk: the room's next write
    // starts a new epoch, so no client mistakes a reused seq for one it has seen.
    const next = await send(store, room, 'after the restart');
    expect(next.message.seq).toBe(21);
    expect((next.message.epoch ?? '') > old.epoch).toBe(true);
  });
});
