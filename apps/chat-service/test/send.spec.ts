import Redis from 'ioredis';
import { ChatHistory, ChatSend, isContractError, newId, RoomMessage, type ChatMessage, type ContractError } from '@relay/contracts';
import { type MessageMeta } from '@relay/bus';
import { startNats, startRedis, uniqueName, waitFor, type TestNats, type TestRedis } from '@relay/testing';
import type { ChatApp } from '../src/app';
import { MessageStore } from '../src/message-store';
import { connectClient, counterValue, REQ, startChat, type TestClient } from './harness';

async function refusal(p: Promise<unknown>): Promise<ContractError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isContractError(err)) throw new Error(`expected a ContractError, got ${String(err)}`);
  return err;
}

describe('chat send', () => {
  let nats: TestNats;
  let redis: TestRedis;
  let apps: ChatApp[];
  let client: TestClient;

  beforeAll(async () => {
    [nats, redis] = await Promise.all([startNats(), startRedis()]);
    // Two instances in the queue group, storing into the same Redis.
    apps = await Promise.all([startChat(nats.url, redis.url), startChat(nats.url, redis.url)]);
    client = await connectClient(nats.url);
  });

  afterAll(async () => {
    await client?.close();
    await Promise.all((apps ?? []).map((a) => a.shutdown.run('test done')));
    await Promise.all([nats?.close(), redis?.close()]);
  });

  /** Every RoomMessage of a room, with its meta, as it arrives. */
  function collectRoom(room: string): { events: { data: ChatMessage; meta: MessageMeta }[]; stop: () => void } {
    const events: { data: ChatMessage; meta: MessageMeta }[] = [];
    const sub = client.bus.subscribe(RoomMessage, { room }, (data, meta) => {
      events.push({ data, meta });
    });
    return { events, stop: () => sub.unsubscribe() };
  }

  it('send - seqs are exactly 1..200 under concurrent sends served by two instances, each once', async () => {
    const room = uniqueName('room');
    const storedBefore = await Promise.all(apps.map((a) => counterValue(a, 'relay_chat_messages_stored_total')));
    const { events, stop } = collectRoom(room);
    await client.nc.flush();

    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) => client.bus.request(ChatSend, { room, user: `u${i % 7}`, text: `m${i}`, clientMsgId: `c${i}` }, REQ)),
    );

    const seqs = replies.map((r) => r.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(new Set(replies.map((r) => r.id)).size).toBe(200);
    expect(replies.every((r) => !r.duplicate)).toBe(true);

    const storedAfter = await Promise.all(apps.map((a) => counterValue(a, 'relay_chat_messages_stored_total')));
    const servedBy = storedAfter.map((v, i) => v - storedBefore[i]);
    expect(servedBy[0] + servedBy[1]).toBe(200);
    // Both instances took part, so the contiguity above was really tested across instances.
    expect(servedBy[0]).toBeGreaterThan(0);
    expect(servedBy[1]).toBeGreaterThan(0);

    // One RoomMessage per stored message: the event is published before the reply.
    await client.nc.flush();
    expect(events.map((e) => e.data.seq).sort((a, b) => a - b)).toEqual(seqs);
    const byId = new Map(replies.map((r) => [r.id, r]));
    for (const { data } of events) expect(data).toEqual(expect.objectContaining({ room, seq: byId.get(data.id)?.seq, ts: byId.get(data.id)?.ts }));
    stop();

    const history = await client.bus.request(ChatHistory, { room, limit: 100 }, REQ);
    expect(history.messages.map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 101));
  });

  it('send - a clientMsgId retry stores once, returns the same id and seq, and announces the stored message again', async () => {
    const room = uniqueName('room');
    const { events, stop } = collectRoom(room);
    await client.nc.flush();
    const first = await client.bus.request(ChatSend, { room, user: 'alice', text: 'hello', clientMsgId: 'retry-1' }, REQ);
    const again = await client.bus.request(ChatSend, { room, user: 'alice', text: 'hello', clientMsgId: 'retry-1' }, REQ);
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ id: first.id, seq: first.seq, ts: first.ts, duplicate: true });
    const next = await client.bus.request(ChatSend, { room, user: 'alice', text: 'next', clientMsgId: 'retry-2' }, REQ);
    expect(next.seq).toBe(first.seq + 1);
    await waitFor(() => events.length === 3, { what: 'three RoomMessages', timeoutMs: 3000 });
    // Stored once; announced twice with the same id and seq (receivers drop the second by seq).
    expect(events.map((e) => e.data.id)).toEqual([first.id, first.id, next.id]);
    expect(events[1].data).toEqual(events[0].data);
    stop();
  });

  it('send - a retry of a send stored but never announced (died between store and publish) announces the stored message', async () => {
    const room = uniqueName('room');
    const { events, stop } = collectRoom(room);
    await client.nc.flush();
    // The first try: stored exactly as chat-service stores it, then the process "died" before publishing.
    const redisClient = new Redis(redis.url);
    try {
      const store = new MessageStore(redisClient, { historyMaxPerRoom: 100, clientMsgIdTtlSec: 60 });
      const stored = await store.append({ room, from: 'gina', text: 'lost on the way', clientMsgId: 'crash-1', id: newId(), ts: Date.now() });
      expect(stored.duplicate).toBe(false);
      await client.nc.flush();
      expect(events).toEqual([]);

      const retry = await client.bus.request(ChatSend, { room, user: 'gina', text: 'lost on the way', clientMsgId: 'crash-1' }, REQ);
      expect(retry).toEqual({ id: stored.message.id, seq: stored.message.seq, ts: stored.message.ts, duplicate: true });
      await waitFor(() => events.length === 1, { what: 'the stored message announced', timeoutMs: 3000 });
      expect(events[0].data).toEqual(stored.message);
    } finally {
      redisClient.disconnect();
    }
    stop();
  });

  it('send - concurrent retries of one clientMsgId across instances store exactly one message', async () => {
    const room = uniqueName('room');
    const dupBefore = (await Promise.all(apps.map((a) => counterValue(a, 'relay_chat_duplicates_total')))).reduce((a, b) => a + b);
    const replies = await Promise.all(
      Array.from({ length: 20 }, () => client.bus.request(ChatSend, { room, user: 'bob', text: 'once', clientMsgId: 'same' }, REQ)),
    );
    expect(new Set(replies.map((r) => `${r.id}/${r.seq}/${r.ts}`)).size).toBe(1);
    expect(replies.filter((r) => !r.duplicate)).toHaveLength(1);
    const dupAfter = (await Promise.all(apps.map((a) => counterValue(a, 'relay_chat_duplicates_total')))).reduce((a, b) => a + b);
    expect(dupAfter - dupBefore).toBe(19);
    const history = await client.bus.request(ChatHistory, { room, limit: 10 }, REQ);
    expect(history.messages).toHaveLength(1);
  });

  it('send - the same clientMsgId in another room, or from another user, is a new message', async () => {
    const roomA = uniqueName('roomA');
    const roomB = uniqueName('roomB');
    const a = await client.bus.request(ChatSend, { room: roomA, user: 'carol', text: 'x', clientMsgId: 'k' }, REQ);
    const b = await client.bus.request(ChatSend, { room: roomB, user: 'carol', text: 'x', clientMsgId: 'k' }, REQ);
    const c = await client.bus.request(ChatSend, { room: roomA, user: 'dave', text: 'x', clientMsgId: 'k' }, REQ);
    expect([a.duplicate, b.duplicate, c.duplicate]).toEqual([false, false, false]);
    expect(b.id).not.toBe(a.id);
    expect([a.seq, b.seq, c.seq]).toEqual([1, 1, 2]);
  });

  it('send - sends without clientMsgId are all stored, and ids are ULIDs', async () => {
    const room = uniqueName('room');
    const r1 = await client.bus.request(ChatSend, { room, user: 'erin', text: 'same text' }, REQ);
    const r2 = await client.bus.request(ChatSend, { room, user: 'erin', text: 'same text' }, REQ);
    expect([r1.seq, r2.seq, r1.duplicate, r2.duplicate]).toEqual([1, 2, false, false]);
    expect(r1.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(Math.abs(r1.ts - Date.now())).toBeLessThan(60000);
  });

  it('send - the RoomMessage carries the request correlation id', async () => {
    const room = uniqueName('room');
    const { events, stop } = collectRoom(room);
    await client.nc.flush();
    await client.bus.request(ChatSend, { room, user: 'frank', text: 'traced' }, { ...REQ, correlationId: 'corr-send-1' });
    await waitFor(() => events.length === 1, { what: 'RoomMessage', timeoutMs: 3000 });
    expect(events[0].meta.correlationId).toBe('corr-send-1');
    expect(events[0].meta.source).toMatch(/^chat-service\//);
    stop();
  });

  it('send - text of 4000 code points is accepted (€ and astral), 4001 and whitespace-only are refused', async () => {
    const room = uniqueName('room');
    const euros = '€'.repeat(4000);
    const astral = '😀'.repeat(4000); // 8000 UTF-16 units, 4000 code points
    const ok1 = await client.bus.request(ChatSend, { room, user: 'gina', text: euros }, REQ);
    const ok2 = await client.bus.request(ChatSend, { room, user: 'gina', text: astral }, REQ);
    expect([ok1.seq, ok2.seq]).toEqual([1, 2]);
    const stored = await client.bus.request(ChatHistory, { room, limit: 10 }, REQ);
    expect(stored.messages.map((m) => m.text)).toEqual([euros, astral]);

    const tooLong = await refusal(client.bus.request(ChatSend, { room, user: 'gina', text: '€'.repeat(4001) }, REQ));
    expect(tooLong.code).toBe('BAD_REQUEST');
    expect(tooLong.message).toContain('CHAT_TEXT_TOO_LONG');
    expect(tooLong.service).toBe('chat-service');

    const blank = await refusal(client.bus.request(ChatSend, { room, user: 'gina', text: ' \n\t\u00a0' }, REQ));
    expect(blank.code).toBe('BAD_REQUEST');
    expect(blank.message).toContain('CHAT_TEXT_EMPTY');

    // Empty text never reaches a handler: the service's own schema check refuses it.
    const empty = await client.raw(ChatSend.subject, 'chat.send', { room, user: 'gina', text: '' });
    expect(empty).toEqual({ ok: false, error: expect.objectContaining({ code: 'BAD_REQUEST', service: expect.stringMatching(/^chat-service/) }) });

    const after = await client.bus.request(ChatHistory, { room, limit: 10 }, REQ);
    expect(after.messages).toHaveLength(2);
  });

  it('send - invalid payloads get BAD_REQUEST and the service keeps serving', async () => {
    const room = uniqueName('room');
    const bad = [
      client.raw(ChatSend.subject, 'chat.send', 'not json'),
      client.raw(ChatSend.subject, 'chat.send', { room: 'a.b', user: 'x', text: 'wildcard room' }),
      client.raw(ChatSend.subject, 'chat.send', { room, user: 'x>', text: 'bad user' }),
      client.raw(ChatSend.subject, 'chat.send', { room, user: 'x', text: 42 }),
      client.raw(ChatSend.subject, 'chat.send.v9', { room, user: 'x', text: 'wrong version' }),
      client.raw(ChatHistory.subject, 'chat.history', { room, limit: 101 }),
      client.raw(ChatHistory.subject, 'chat.history', { room, limit: 5, before: 0 }),
    ];
    for (const reply of await Promise.all(bad)) {
      expect(reply).toEqual({ ok: false, error: expect.objectContaining({ code: 'BAD_REQUEST', retryable: false }) });
    }
    const fine = await client.bus.request(ChatSend, { room, user: 'x', text: 'still here' }, REQ);
    expect(fine.seq).toBe(1);
  });
});
