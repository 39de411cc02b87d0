/**
 * RelayClient's behaviour without a network: a scripted fake socket plays the gateway and Jest's
 * fake timers drive backoff, timeouts and refreshes, so each rule is checked exactly.
 */
import { FakeSocket, fakeJwt, flush } from '../test/fake-socket';
import { backoffDelay } from './backoff';
import { RelayError } from './errors';
import { RelayClient } from './relay-client';
import type { RelayClientOptions } from './types';

function makeClient(over: Partial<RelayClientOptions> = {}): RelayClient {
  return new RelayClient({ url: ['ws://a/ws', 'ws://b/ws'], token: 't0', WebSocket: FakeSocket, random: () => 0.5, backoff: { baseMs: 1000, maxMs: 8000 }, ...over });
}

/** Connects, welcomes and returns the socket. */
async function online(client: RelayClient): Promise<FakeSocket> {
  const connected = client.connect();
  await flush();
  FakeSocket.last.open();
  await connected;
  return FakeSocket.last;
}

beforeEach(() => {
  FakeSocket.reset();
  jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick'] });
});

afterEach(() => {
  jest.useRealTimers();
});

describe('backoff', () => {
  it('backoff - full jitter: anywhere from 0 up to the capped exponential', () => {
    const opts = { baseMs: 100, maxMs: 1000 };
    expect(backoffDelay(0, opts, () => 0)).toBe(0);
    expect(backoffDelay(0, opts, () => 0.999)).toBe(99);
    expect(backoffDelay(3, opts, () => 0.5)).toBe(400);
    expect(backoffDelay(20, opts, () => 0.999)).toBe(999);
  });
});

describe('relay-client', () => {
  it('client - connects with the token in the query and resolves with welcome', async () => {
    const client = makeClient();
    const sock = await online(client);
    expect(sock.url).toBe('ws://a/ws?token=t0');
    expect(client.status).toMatchObject({ state: 'open', gateway: 'gw-1', attempt: 0 });
    await client.close();
  });

  it('client - the subprotocol transport keeps the token out of the URL', async () => {
    const client = makeClient({ tokenTransport: 'subprotocol' });
    const sock = await online(client);
    expect(sock.url).toBe('ws://a/ws');
    expect(sock.protocols).toEqual(['relay.v1', 'bearer.t0']);
    await client.close();
  });

  it('client - failed attempts rotate through the URLs with growing backoff and ask the provider again', async () => {
    const reasons: string[] = [];
    const client = makeClient({ token: ({ reason }) => (reasons.push(reason), `tok${reasons.length}`) });
    const states: (number | undefined)[] = [];
    client.on('state', (s) => states.push(s.retryInMs));
    const errors: RelayError[] = [];
    client.on('error', (e) => errors.push(e));
    client.connect().catch(() => undefined);
    await flush();
    FakeSocket.last.drop(1006, new Error('Unexpected server response: 401'));
    expect(errors[0]).toMatchObject({ code: 'CONNECT_FAILED', details: { status: 401 } });
    expect(client.status).toMatchObject({ state: 'connecting', attempt: 1, retryInMs: 500 });
    jest.advanceTimersByTime(500);
    await flush();
    expect(FakeSocket.last.url).toBe('ws://b/ws?token=tok2');
    FakeSocket.last.drop(1006);
    expect(client.status.retryInMs).toBe(1000); // 0.5 * min(8000, 1000 * 2^1)
    jest.advanceTimersByTime(1000);
    await flush();
    expect(FakeSocket.last.url).toBe('ws://a/ws?token=tok3');
    expect(reasons).toEqual(['connect', 'refused', 'refused']);
    await client.close();
  });

  it('client - after a drop every room is rejoined with since and epoch, recovered:false is surfaced', async () => {
    const client = makeClient();
    const sock = await online(client);
    const joining = client.join('lobby');
    sock.reply('join', { type: 'joined', room: 'lobby', seq: 5, epoch: 'e1' });
    await expect(joining).resolves.toMatchObject({ room: 'lobby', seq: 5, recovered: undefined, rejoin: false });
    const joining2 = client.join('dev');
    sock.reply('join', { type: 'joined', room: 'dev', seq: 0 });
    await joining2;
    sock.deliver({ type: 'message', room: 'lobby', id: 'm6', seq: 6, from: 'bob', text: 'x', ts: 1 });

    const joins: unknown[] = [];
    client.on('joined', (r) => joins.push(r));
    sock.drop(1012);
    expect(client.status).toMatchObject({ state: 'reconnecting', closeCode: 1012 });
    jest.advanceTimersByTime(500);
    await flush();
    const next = FakeSocket.last;
    expect(next.url).toContain('ws://b/ws');
    next.open('alice', 'gw-2');
    expect(next.sentOf('join').map(({ ref: _r, ...f }) => f)).toEqual([
      { type: 'join', room: 'lobby', since: 6, epoch: 'e1' },
      { type: 'join', room: 'dev', since: 0 },
    ]);
    next.deliver({ type: 'joined', ref: next.sentOf('join')[0].ref, room: 'lobby', seq: 900, recovered: false, epoch: 'e1' });
    next.deliver({ type: 'joined', ref: next.sentOf('join')[1].ref, room: 'dev', seq: 2, recovered: true });
    expect(joins).toEqual([
      { room: 'lobby', seq: 900, recovered: false, epoch: 'e1', epochChanged: false, rejoin: true },
      { room: 'dev', seq: 2, recovered: true, epoch: undefined, epochChanged: false, rejoin: true },
    ]);
    expect(client.joinedRooms()).toEqual([
      { room: 'lobby', lastSeq: 900, epoch: 'e1' },
      { room: 'dev', lastSeq: 0, epoch: undefined },
    ]);
    await client.close();
  });

  it('client - a changed epoch means not recovered and resets the seq state', async () => {
    const client = makeClient();
    const sock = await online(client);
    const j = client.join('lobby');
    sock.reply('join', { type: 'joined', room: 'lobby', seq: 50, epoch: 'e1' });
    await j;
    sock.drop(1006);
    jest.advanceTimersByTime(500);
    await flush();
    const next = FakeSocket.last;
    next.open();
    const results: unknown[] = [];
    client.on('joined', (r) => results.push(r));
    next.reply('join', { type: 'joined', room: 'lobby', seq: 3, recovered: true, epoch: 'e2' });
    expect(results[0]).toMatchObject({ recovered: false, epochChanged: true, seq: 3 });
    const got: number[] = [];
    client.on('message', (m) => got.push(m.seq));
    next.deliver({ type: 'message', room: 'lobby', id: 'n4', seq: 4, from: 'bob', text: 'x', ts: 1 });
    expect(got).toEqual([4]);
    await client.close();
  });

  it('client - regression: a live message of a later epoch (the store was reset, seqs start over) was dropped by seq; now it starts the count over', async () => {
    const client = makeClient();
    const sock = await online(client);
    const j = client.join('lobby');
    sock.reply('join', { type: 'joined', room: 'lobby', seq: 50, epoch: 'e1' });
    await j;
    const got: string[] = [];
    client.on('message', (m) => got.push(m.id));
    sock.deliver({ type: 'message', room: 'lobby', id: 'a51', seq: 51, from: 'bob', text: 'x', ts: 1, epoch: 'e1' });
    sock.deliver({ type: 'message', room: 'lobby', id: 'b1', seq: 1, from: 'bob', text: 'after the reset', ts: 2, epoch: 'e2' });
    sock.deliver({ type: 'message', room: 'lobby', id: 'a52', seq: 52, from: 'bob', text: 'stale', ts: 1, epoch: 'e1' });
    sock.deliver({ type: 'message', room: 'lobby', id: 'b2', seq: 2, from: 'bob', text: 'y', ts: 3, epoch: 'e2' });
    expect(got).toEqual(['a51', 'b1', 'b2']);
    expect(client.joinedRooms()).toEqual([{ room: 'lobby', lastSeq: 2, epoch: 'e2' }]);
    await client.close();
  });

  it('client - a backlog of more notifications than one ack frame may carry is acked in frames of 500', async () => {
    const client = makeClient();
    const sock = await online(client);
    for (let i = 0; i < 501; i++) sock.deliver({ type: 'notification', id: `n${i}`, kind: 'mention', text: 'hi', ts: 1 });
    await flush();
    expect(sock.sentOf('ack').map((f) => (f.ids as string[]).length)).toEqual([500, 1]);
    await client.close();
  });

  it('client - sends wait while offline and go out after the rejoin; a resend keeps its clientMsgId', async () => {
    const client = makeClient();
    const sock = await online(client);
    const j = client.join('lobby');
    sock.reply('join', { type: 'joined', room: 'lobby', seq: 0 });
    await j;
    const first = client.send('lobby', 'one');
    const written = sock.sentOf('send')[0];
    sock.drop(1006); // before `sent` came back
    const second = client.send('lobby', 'two');
    jest.advanceTimersByTime(500);
    await flush();
    const next = FakeSocket.last;
    next.open();
    expect(next.sentOf('send')).toEqual([]); // not before the room is rejoined
    next.reply('join', { type: 'joined', room: 'lobby', seq: 1, recovered: true });
    const sends = next.sentOf('send');
    expect(sends.map((f) => f.text)).toEqual(['one', 'two']);
    expect(sends[0].clientMsgId).toBe(written.clientMsgId);
    next.deliver({ type: 'sent', ref: sends[0].ref, room: 'lobby', id: 'm1', seq: 1, ts: 1 });
    next.deliver({ type: 'sent', ref: sends[1].ref, room: 'lobby', id: 'm2', seq: 2, ts: 2 });
    await expect(first).resolves.toEqual({ room: 'lobby', id: 'm1', seq: 1, ts: 1, clientMsgId: written.clientMsgId });
    await expect(second).resolves.toMatchObject({ id: 'm2', seq: 2 });
    await client.close();
  });

  it('client - the offline queue is bounded', async () => {
    const client = makeClient({ maxQueuedSends: 2 });
    const a = client.send('lobby', 'a');
    const b = client.send('lobby', 'b');
    await expect(client.send('lobby', 'c')).rejects.toMatchObject({ code: 'QUEUE_FULL' });
    await client.close();
    await expect(a).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(b).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('client - duplicate messages (same id or a seq already seen) are dropped and a seq gap is reported', async () => {
    const client = makeClient();
    const sock = await online(client);
    const j = client.join('lobby');
    sock.reply('join', { type: 'joined', room: 'lobby', seq: 2 });
    await j;
    const seqs: number[] = [];
    const gaps: unknown[] = [];
    client.room('lobby').on('message', (m) => seqs.push(m.seq));
    client.room('lobby').on('gap', (g) => gaps.push(g));
    const msg = (id: string, seq: number) => sock.deliver({ type: 'message', room: 'lobby', id, seq, from: 'bob', text: id, ts: seq });
    msg('m2', 2); // at the joined seq: already stored before we joined
    msg('m3', 3);
    msg('m3', 3);
    msg('m6', 6);
    msg('m5', 5);
    sock.deliver({ type: 'message', room: 'other', id: 'x1', seq: 1, from: 'bob', text: 'not joined', ts: 1 });
    expect(seqs).toEqual([3, 6]);
    expect(gaps).toEqual([{ room: 'lobby', from: 4, to: 5 }]);
    await client.close();
  });

  it('client - notifications: a redelivered id is shown once, every delivery is acknowledged in one ack frame', async () => {
    const client = makeClient();
    const sock = await online(client);
    const seen: string[] = [];
    client.on('notification', (n) => seen.push(n.id));
    const note = (id: string) => sock.deliver({ type: 'notification', id, kind: 'mention', text: 'hi', ts: 1 });
    note('n1');
    note('n2');
    note('n1');
    await flush();
    expect(seen).toEqual(['n1', 'n2']);
    expect(sock.sentOf('ack').map((f) => f.ids)).toEqual([['n1', 'n2']]);
    // A gateway without `ack` answers BAD_REQUEST: the client stops sending them.
    sock.reply('ack', { type: 'error', code: 'BAD_REQUEST', message: 'unknown frame type' });
    note('n3');
    await flush();
    expect(sock.sentOf('ack')).toHaveLength(1);
    await client.close();
  });

  it('client - request errors carry the server code and retryAfterMs; a missing reply times out', async () => {
    const client = makeClient({ requestTimeoutMs: 3000 });
    const sock = await online(client);
    const h = client.history('lobby', { limit: 10 });
    expect(sock.sentOf('history')[0]).toMatchObject({ room: 'lobby', limit: 10 });
    sock.reply('history', { type: 'error', code: 'SERVICE_UNAVAILABLE', message: 'busy', retryAfterMs: 250 });
    await expect(h).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', details: { retryAfterMs: 250 }, retryable: true });
    const p = client.presence('lobby');
    jest.advanceTimersByTime(3000);
    await expect(p).rejects.toMatchObject({ code: 'TIMEOUT' });
    const forbidden = client.presence('secret');
    sock.reply('presence', { type: 'error', code: 'FORBIDDEN', message: 'no' });
    await expect(forbidden).rejects.toBeInstanceOf(RelayError);
    await client.close();
  });

  it('client - a read while offline fails with TIMEOUT in bounded time, an aborted one with CLOSED', async () => {
    const client = makeClient({ requestTimeoutMs: 2000 });
    client.connect().catch(() => undefined);
    await flush();
    const read = client.presence('lobby');
    const ctrl = new AbortController();
    const aborted = client.history('lobby', { signal: ctrl.signal });
    ctrl.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'CLOSED' });
    jest.advanceTimersByTime(2000);
    await expect(read).rejects.toMatchObject({ code: 'TIMEOUT' });
    await client.close();
  });

  it('client - close (or the AbortSignal) fails what waits and leaves no timer behind', async () => {
    const ctrl = new AbortController();
    const client = makeClient({ signal: ctrl.signal, token: () => fakeJwt('alice', Math.floor(Date.now() / 1000) + 3600) });
    const sock = await online(client);
    const pending = client.ping();
    const j = client.join('lobby');
    sock.drop(1006);
    await expect(pending).rejects.toMatchObject({ code: 'DISCONNECTED' });
    expect(jest.getTimerCount()).toBeGreaterThan(0);
    ctrl.abort();
    await flush();
    await expect(j).rejects.toMatchObject({ code: 'CLOSED' });
    expect(client.status.state).toBe('closed');
    expect(jest.getTimerCount()).toBe(0);
    await expect(client.send('lobby', 'late')).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('client - a 4001 close reconnects at once-ish and asks the provider for a fresh token', async () => {
    const reasons: string[] = [];
    const client = makeClient({ token: ({ reason }) => (reasons.push(reason), 'tok') });
    const sock = await online(client);
    sock.drop(4001);
    expect(client.status.error?.message).toContain('4001');
    jest.advanceTimersByTime(500);
    await flush();
    expect(reasons).toEqual(['connect', 'expired']);
    await client.close();
  });

  it('client - a 4002 close (a backend disconnected the user) stops the client: no reconnect, waiters fail with CLOSED, no timer left', async () => {
    const reasons: string[] = [];
    const client = makeClient({ token: ({ reason }) => (reasons.push(reason), 'tok') });
    const sock = await online(client);
    const errors: string[] = [];
    client.on('error', (e) => errors.push(e.message));
    const pending = client.history('lobby');
    sock.drop(4002, undefined, 'account suspended');
    await expect(pending).rejects.toMatchObject({ code: 'CLOSED' });
    expect(client.status).toMatchObject({ state: 'closed', closeCode: 4002 });
    expect(client.status.error?.message).toContain('account suspended');
    expect(errors).toEqual(['disconnected by the server (4002): account suspended']);
    jest.advanceTimersByTime(60_000);
    await flush();
    expect(reasons).toEqual(['connect']);
    expect(jest.getTimerCount()).toBe(0);
    await expect(client.send('lobby', 'after')).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('client - a token provider is asked again before exp and the new token goes out as `auth`', async () => {
    const now = Math.floor(Date.now() / 1000);
    let exp = now + 120;
    const client = makeClient({ refreshBeforeExpiryMs: 60_000, token: () => fakeJwt('alice', exp) });
    const sock = await online(client);
    exp = now + 3600;
    jest.advanceTimersByTime(60_000);
    await flush();
    const auth = sock.sentOf('auth')[0];
    expect(auth).toMatchObject({ type: 'auth', token: fakeJwt('alice', now + 3600) });
    sock.deliver({ type: 'authed', ref: auth.ref, exp: now + 3600 });
    await flush();
    expect(jest.getTimerCount()).toBe(1); // the next refresh, an hour later
    await client.close();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('client - no welcome within the connect timeout counts as a failed attempt', async () => {
    const client = makeClient({ connectTimeoutMs: 4000 });
    client.connect().catch(() => undefined);
    await flush();
    const first = FakeSocket.last;
    first.readyState = 1; // opened, but the gateway never speaks
    jest.advanceTimersByTime(4000);
    expect(first.closedWith).toBe(4000);
    expect(client.status).toMatchObject({ state: 'connecting', attempt: 1 });
    await client.close();
  });

  it('client - a listener that throws does not break the client', async () => {
    const client = makeClient();
    const sock = await online(client);
    const j = client.join('lobby');
    sock.reply('join', { type: 'joined', room: 'lobby', seq: 0 });
    await j;
    const seen: number[] = [];
    const uncaught: unknown[] = [];
    const original = globalThis.queueMicrotask;
    globalThis.queueMicrotask = (fn) => original(() => { try { fn(); } catch (e) { uncaught.push(e); } });
    try {
      client.on('message', () => {
        throw new Error('app bug');
      });
      client.on('message', (m) => seen.push(m.seq));
      sock.deliver({ type: 'message', room: 'lobby', id: 'a', seq: 1, from: 'bob', text: 'x', ts: 1 });
      await flush();
    } finally {
      globalThis.queueMicrotask = original;
    }
    expect(seen).toEqual([1]);
    expect(uncaught).toHaveLength(1);
    await client.close();
  });
});
