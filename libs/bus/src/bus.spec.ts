import { connect, headers, type NatsConnection } from 'nats';
import { startNats, type TestNats, uniqueName, waitFor } from '@relay/testing';
import { Type } from '@sinclair/typebox';
import { ChatHistory, ChatSend, ContractError, defineRequest, RoomMessage, UserOnline } from '@relay/contracts';
import { Bus, CORRELATION_HEADER, type InvalidMessage } from './bus';
import { makeEnvelope } from './envelope';

const silent = { warn: () => undefined, error: () => undefined };

describe('bus', () => {
  let nats: TestNats;
  let nc: NatsConnection;
  let bus: Bus;
  const invalid: InvalidMessage[] = [];

  beforeAll(async () => {
    nats = await startNats();
    nc = await connect({ servers: nats.url });
    bus = new Bus(nc, { source: 'test/bus', logger: silent, onInvalid: (i) => invalid.push(i) });
  });

  afterAll(async () => {
    await nc?.close();
    await nats?.close();
  });

  it('bus - publish and subscribe deliver a validated event with its envelope meta', async () => {
    const room = uniqueName('room');
    const got: unknown[] = [];
    const sub = bus.subscribe(RoomMessage, { room }, (data, meta) => {
      got.push(data);
      expect(meta.source).toBe('test/bus');
      expect(meta.correlationId).toBe('corr-1');
    });
    const msg = { room, id: '01J', seq: 1, from: 'alice', text: 'hi', ts: 1 };
    bus.publish(RoomMessage, { room }, msg, { correlationId: 'corr-1' });
    await waitFor(() => got.length === 1, { what: 'event' });
    expect(got[0]).toEqual(msg);
    sub.unsubscribe();
  });

  it('bus - without tracing a message travels without NATS headers; the correlation id is the envelope cid', async () => {
    const room = uniqueName('room');
    const raw = nc.subscribe(`chat.v1.room.${room}.message`, { max: 2 });
    const msg = { room, id: '01J', seq: 1, from: 'alice', text: 'hi', ts: 1 };
    bus.publish(RoomMessage, { room }, msg, { correlationId: 'corr-2' });
    bus.publish(RoomMessage, { room }, { ...msg, seq: 2 });
    const seen: { headers: unknown; body: Record<string, unknown> }[] = [];
    for await (const m of raw) seen.push({ headers: m.headers, body: JSON.parse(new TextDecoder().decode(m.data)) as Record<string, unknown> });
    expect(seen.map((m) => m.headers)).toEqual([undefined, undefined]);
    expect(seen[0].body.cid).toBe('corr-2');
    // No correlation given: the message is its own cause, nothing extra is encoded.
    expect('cid' in seen[1].body).toBe(false);
  });

  it('bus - a correlation id in the header of an older publisher is still read', async () => {
    const room = uniqueName('room');
    const got: string[] = [];
    const sub = bus.subscribe(RoomMessage, { room }, (_data, meta) => {
      got.push(meta.correlationId);
    });
    await nc.flush();
    const h = headers();
    h.set(CORRELATION_HEADER, 'legacy-corr');
    const envelope = makeEnvelope('chat.message', 1, 'old/1', { room, id: '01J', seq: 1, from: 'alice', text: 'hi', ts: 1 });
    nc.publish(`chat.v1.room.${room}.message`, new TextEncoder().encode(JSON.stringify(envelope)), { headers: h });
    await waitFor(() => got.length === 1, { what: 'event' });
    expect(got).toEqual(['legacy-corr']);
    sub.unsubscribe();
  });

  it('bus - makeEnvelope gives a fresh ULID and the versioned type, or the identity it is given', () => {
    const env = makeEnvelope('chat.message', 3, 'chat-service/1', { x: 1 });
    expect(env).toMatchObject({ type: 'chat.message.v3', source: 'chat-service/1', data: { x: 1 } });
    expect(env.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(makeEnvelope('t', 1, 's', {}, { id: 'fixed', time: 42 })).toMatchObject({ id: 'fixed', time: 42 });
  });

  it('bus - publishPrepared sends the given envelope id and time every time, with the correlation id', async () => {
    const seen: { id: string; time: number; correlationId: string }[] = [];
    const sub = bus.subscribe(UserOnline, {}, (_data, meta) => {
      seen.push({ id: meta.envelopeId, time: meta.time, correlationId: meta.correlationId });
    });
    await bus.flush();
    const event = { def: UserOnline, params: {}, data: { user: 'alice', at: 5, reason: 'connect' as const }, identity: { id: 'presence-1-0', time: 5 } };
    bus.publishPrepared(event);
    bus.publishPrepared({ ...event, correlationId: 'corr-9' });
    await waitFor(() => seen.length === 2, { what: 'two prepared events' });
    expect(seen).toEqual([
      { id: 'presence-1-0', time: 5, correlationId: 'presence-1-0' },
      { id: 'presence-1-0', time: 5, correlationId: 'corr-9' },
    ]);
    sub.unsubscribe();
  });

  it('bus - a prefilter sees the raw payload first: what it refuses is neither parsed nor counted invalid', async () => {
    const room = uniqueName('room');
    const got: string[] = [];
    const seen: number[] = [];
    const sub = bus.subscribe(RoomMessage, { room }, (data) => void got.push(data.text), {
      prefilter: (payload) => {
        seen.push(payload.length);
        return payload.indexOf(0x40) !== -1;
      },
    });
    const invalidBefore = invalid.length;
    nc.publish(`chat.v1.room.${room}.message`, new TextEncoder().encode('not JSON and no at sign'));
    bus.publish(RoomMessage, { room }, { room, id: '01J', seq: 1, from: 'alice', text: 'plain', ts: 1 });
    bus.publish(RoomMessage, { room }, { room, id: '01K', seq: 2, from: 'alice', text: 'hi @bob', ts: 2 });
    await waitFor(() => got.length === 1 && seen.length === 3, { what: 'the three messages offered to the prefilter' });
    expect(got).toEqual(['hi @bob']);
    expect(invalid.length).toBe(invalidBefore);
    sub.unsubscribe();
  });

  it('bus - a prefilter of a wildcard subscription sees the concrete subject of each message', async () => {
    const wanted = uniqueName('room');
    const other = uniqueName('room');
    const got: string[] = [];
    const subjects: string[] = [];
    const sub = bus.subscribe(RoomMessage, '*', (data) => void got.push(data.room), {
      prefilter: (_payload, subject) => {
        if (subject.includes(wanted) || subject.includes(other)) subjects.push(subject);
        return subject === `chat.v1.room.${wanted}.message`;
      },
    });
    await nc.flush();
    bus.publish(RoomMessage, { room: other }, { room: other, id: '01J', seq: 1, from: 'alice', text: 'a', ts: 1 });
    bus.publish(RoomMessage, { room: wanted }, { room: wanted, id: '01K', seq: 1, from: 'alice', text: 'b', ts: 2 });
    await waitFor(() => got.includes(wanted), { what: 'the wanted room message' });
    expect(subjects).toEqual([`chat.v1.room.${other}.message`, `chat.v1.room.${wanted}.message`]);
    expect(got.filter((r) => r === other || r === wanted)).toEqual([wanted]);
    sub.unsubscribe();
  });

  it('bus - a malformed event is dropped and counted, and the subscription keeps going', async () => {
    const room = uniqueName('room');
    const subject = `chat.v1.room.${room}.message`;
    const got: number[] = [];
    invalid.length = 0;
    const sub = bus.subscribe(RoomMessage, { room }, (data) => {
      got.push(data.seq);
    });
    nc.publish(subject, new TextEncoder().encode('not json'));
    nc.publish(subject, new TextEncoder().encode(JSON.stringify(makeEnvelope('chat.message', 1, 'x', { room, seq: 'one' }))));
    // A v2 event on a v1 subscription is a different contract: dropped, not misread.
    nc.publish(subject, new TextEncoder().encode(JSON.stringify(makeEnvelope('chat.message', 2, 'x', { room, id: 'a', seq: 1, from: 'a', text: 't', ts: 1 }))));
    bus.publish(RoomMessage, { room }, { room, id: 'ok', seq: 7, from: 'bob', text: 'fine', ts: 2 });
    await waitFor(() => got.length === 1, { what: 'valid event after invalid ones' });
    expect(got).toEqual([7]);
    expect(invalid.map((i) => i.reason)).toEqual(['not JSON', expect.stringMatching(/^\/(id|seq)/), expect.stringContaining('chat.message.v2')]);
    sub.unsubscribe();
  });

  it('bus - request and serve round-trip with validation on both sides', async () => {
    const sub = bus.serve(ChatHistory, async (req) => ({
      messages: [{ room: req.room, id: 'm1', seq: 1, from: 'alice', text: 'x', ts: 5 }],
    }));
    const reply = await bus.request(ChatHistory, { room: 'lobby', limit: 10 }, { timeoutMs: 1000 });
    expect(reply.messages[0].id).toBe('m1');
    await expect(bus.request(ChatHistory, { room: 'a.>', limit: 10 }, { timeoutMs: 1000 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    sub.unsubscribe();
  });

  it('bus - a handler error crosses NATS as a typed error with code, retryable and service', async () => {
    const sub = bus.serve(ChatSend, async () => {
      throw new ContractError('DEPENDENCY_DOWN', 'redis is down', 'chat-service');
    });
    const err = await bus.request(ChatSend, { room: 'r', user: 'u', text: 't' }, { timeoutMs: 1000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContractError);
    expect(err).toMatchObject({ code: 'DEPENDENCY_DOWN', retryable: true, service: 'chat-service', message: 'redis is down' });
    sub.unsubscribe();
  });

  it('bus - an unexpected handler error is INTERNAL and says nothing secret', async () => {
    const sub = bus.serve(ChatSend, async () => {
      throw new Error('password=hunter2');
    });
    const err = (await bus.request(ChatSend, { room: 'r', user: 'u', text: 't' }, { timeoutMs: 1000 }).catch((e: unknown) => e)) as ContractError;
    expect(err.code).toBe('INTERNAL');
    expect(err.message).not.toContain('hunter2');
    sub.unsubscribe();
  });

  it('bus - a request the server cannot parse gets BAD_REQUEST back, not silence', async () => {
    const sub = bus.serve(ChatSend, async () => ({ id: 'x', seq: 1, ts: 1, duplicate: false }));
    const h = headers();
    h.set(CORRELATION_HEADER, 'c');
    const raw = await nc.request('chat.v1.send', new TextEncoder().encode('{"type":"chat.send.v1","id":"1","source":"s","time":1,"data":{"room":"*"}}'), { timeout: 1000, headers: h });
    const reply = JSON.parse(new TextDecoder().decode(raw.data));
    expect(reply.ok).toBe(false);
    expect(reply.error.code).toBe('BAD_REQUEST');
    sub.unsubscribe();
  });

  it('bus - no responders and timeouts become retryable typed errors', async () => {
    const lonely = defineRequest({ subject: `test.${uniqueName('nobody')}`, type: 'test.lonely', version: 1, request: Type.Object({}), reply: Type.Object({}), queue: 'chat-service', requesters: [] });
    await expect(bus.request(lonely, {}, { timeoutMs: 500 })).rejects.toMatchObject({ code: 'NO_RESPONDERS', retryable: true });

    const slowDef = defineRequest({ subject: `test.${uniqueName('slow')}`, type: 'test.slow', version: 1, request: Type.Object({}), reply: Type.Object({}), queue: 'chat-service', requesters: [] });
    const sub = bus.serve(slowDef, () => new Promise(() => undefined));
    await expect(bus.request(slowDef, {}, { timeoutMs: 100 })).rejects.toMatchObject({ code: 'TIMEOUT', retryable: true });
    sub.unsubscribe();
  });

  it('bus - a reply that breaks the reply schema is BAD_REPLY', async () => {
    const sub = bus.serve(ChatSend, async () => ({ id: 'x' }) as never);
    await expect(bus.request(ChatSend, { room: 'r', user: 'u', text: 't' }, { timeoutMs: 1000 })).rejects.toMatchObject({ code: 'BAD_REPLY' });
    sub.unsubscribe();
  });

  it('bus - queue groups serve each request once across two servers', async () => {
    const hits = { a: 0, b: 0 };
    const subA = bus.serve(ChatHistory, async () => {
      hits.a++;
      return { messages: [] };
    });
    const subB = bus.serve(ChatHistory, async () => {
      hits.b++;
      return { messages: [] };
    });
    await Promise.all(Array.from({ length: 40 }, () => bus.request(ChatHistory, { room: 'q', limit: 1 }, { timeoutMs: 1000 })));
    expect(hits.a + hits.b).toBe(40);
    subA.unsubscribe();
    subB.unsubscribe();
  });

  it('bus - regression: a reply over max_payload crashed the server; now it is REPLY_TOO_LARGE and serving goes on', async () => {
    const huge = 'x'.repeat(64 * 1024);
    const sub = bus.serve(ChatHistory, async (req) => ({
      messages: Array.from({ length: req.limit }, (_, i) => ({ room: req.room, id: `m${i}`, seq: i + 1, from: 'a', text: huge, ts: 1 })),
    }));
    expect(bus.replyBudgetBytes).toBe((nc.info?.max_payload ?? 0) - 16 * 1024);
    await expect(bus.request(ChatHistory, { room: 'big', limit: 40 }, { timeoutMs: 2000 })).rejects.toMatchObject({ code: 'REPLY_TOO_LARGE' });
    const small = await bus.request(ChatHistory, { room: 'big', limit: 2 }, { timeoutMs: 2000 });
    expect(small.messages).toHaveLength(2);
    sub.unsubscribe();
  });
});
