import { isContractError, NotifyAck, NotifyPending, NotifySend, UserNotification, type ContractError, type Notification } from '@relay/contracts';
import { uniqueName, waitFor } from '@relay/testing';
import Redis from 'ioredis';
import { storeKeys } from '../src/notification-store';
import { Harness } from './harness';

const PENDING_MAX = 5;
const TTL_SEC = 3600;

/** Raw request, skipping the client-side check of the typed Bus: what the service itself answers. */
async function rawSend(h: Harness, data: unknown): Promise<{ ok: boolean; error?: { code: string; message: string; service: string } }> {
  const body = JSON.stringify({ id: 'raw-1', type: 'notify.send.v1', source: 'test/raw', time: Date.now(), data });
  const msg = await h.nc.request(NotifySend.subject, new TextEncoder().encode(body), { timeout: 2000 });
  return JSON.parse(new TextDecoder().decode(msg.data));
}

async function rejection(p: Promise<unknown>): Promise<ContractError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isContractError(err)) throw new Error(`expected a ContractError, got ${String(err)}`);
  return err;
}

describe('notification api', () => {
  let h: Harness;
  let redis: Redis;
  let presence: { stop(): Promise<void> };

  beforeAll(async () => {
    h = await Harness.start();
    presence = h.fakePresence();
    await h.addApp({ PENDING_MAX_PER_USER: String(PENDING_MAX), PENDING_TTL_SEC: String(TTL_SEC), DATA_MAX_BYTES: '64' });
    redis = new Redis(h.redis.url);
  });

  afterAll(async () => {
    redis?.disconnect();
    await presence?.stop();
    await h?.close();
  });

  const send = (user: string, extra: Partial<Parameters<Harness['bus']['request']>[1]> = {}) =>
    h.bus.request(NotifySend, { user, kind: 'invite', text: 'join us', ...extra }, { timeoutMs: 3000 });
  const pending = async (user: string) => (await h.bus.request(NotifyPending, { user }, { timeoutMs: 3000 })).notifications;

  it('api - an online user gets the notification live on their subject, and it stays pending until acked', async () => {
    const user = uniqueName('on');
    h.online.add(user);
    const live: Notification[] = [];
    const sub = h.bus.subscribe(UserNotification, { user }, (n) => {
      live.push(n);
    });
    await h.nc.flush();

    const reply = await send(user, { from: 'sys', room: 'lobby', data: { url: '/x' } });
    expect(reply.delivered).toBe('live');
    await waitFor(() => live.length === 1, { what: 'live notification' });
    expect(live[0]).toEqual({ id: reply.id, kind: 'invite', user, from: 'sys', room: 'lobby', text: 'join us', ts: expect.any(Number), data: { url: '/x' } });

    expect((await pending(user)).map((n) => n.id)).toEqual([reply.id]);
    expect(await h.bus.request(NotifyAck, { user, ids: [reply.id] }, { timeoutMs: 3000 })).toEqual({ removed: 1 });
    expect(await pending(user)).toEqual([]);
    sub.unsubscribe();
  });

  it('api - an offline user: stored, NotifyPending returns it, NotifyAck removes it once', async () => {
    const user = uniqueName('off');
    const first = await send(user, { text: 'one' });
    const second = await send(user, { text: 'two' });
    expect(first.delivered).toBe('stored');
    expect(second.delivered).toBe('stored');

    const stored = await pending(user);
    expect(stored.map((n) => [n.id, n.text])).toEqual([
      [first.id, 'one'],
      [second.id, 'two'],
    ]);
    expect(await h.bus.request(NotifyAck, { user, ids: [first.id, second.id, 'unknown-id'] }, { timeoutMs: 3000 })).toEqual({ removed: 2 });
    expect(await pending(user)).toEqual([]);
    expect(await h.bus.request(NotifyAck, { user, ids: [first.id] }, { timeoutMs: 3000 })).toEqual({ removed: 0 });
  });

  it('api - a connection presence does not know of yet still gets it live (the user subject is always published)', async () => {
    const user = uniqueName('early');
    const live: Notification[] = [];
    // A gateway subscribed for a connection whose session update has not reached presence yet.
    const sub = h.bus.subscribe(UserNotification, { user }, (n) => {
      live.push(n);
    });
    await h.nc.flush();
    const reply = await send(user);
    expect(reply.delivered).toBe('stored');
    await waitFor(() => live.length === 1, { what: 'live notification' });
    expect(live[0].id).toBe(reply.id);
    expect((await pending(user)).map((n) => n.id)).toEqual([reply.id]);
    sub.unsubscribe();
  });

  it('api - the same idempotencyKey for the same user returns the same id and stores one notification', async () => {
    const user = uniqueName('idem');
    const other = uniqueName('idem');
    const a = await send(user, { idempotencyKey: 'order-42' });
    const b = await send(user, { idempotencyKey: 'order-42', text: 'changed' });
    const c = await send(other, { idempotencyKey: 'order-42' });
    expect(b.id).toBe(a.id);
    expect(c.id).not.toBe(a.id);
    expect((await pending(user)).map((n) => [n.id, n.text])).toEqual([[a.id, 'join us']]);

    await h.bus.request(NotifyAck, { user, ids: [a.id] }, { timeoutMs: 3000 });
    const afterAck = await send(user, { idempotencyKey: 'order-42' });
    expect(afterAck).toEqual({ id: a.id, delivered: 'live' });
    expect(await pending(user)).toEqual([]);
  });

  it('api - pending notifications are capped per user, oldest dropped first, and expire with the TTL', async () => {
    const user = uniqueName('cap');
    const evictedBefore = await h.metric('relay_notifications_evicted_total');
    const ids: string[] = [];
    for (let i = 0; i < PENDING_MAX + 2; i++) ids.push((await send(user, { text: `n${i}` })).id);
    expect((await pending(user)).map((n) => n.id)).toEqual(ids.slice(2));
    expect((await h.metric('relay_notifications_evicted_total')) - evictedBefore).toBe(2);

    for (const key of [storeKeys.pending(user), storeKeys.bodies(user)]) {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan((TTL_SEC - 60) * 1000);
      expect(ttl).toBeLessThanOrEqual(TTL_SEC * 1000);
    }
    // Each entry carries its own expiry as its score, so a busy user's old ones still expire.
    const scores = await redis.zrange(storeKeys.pending(user), 0, -1, 'WITHSCORES');
    const firstExpiry = Number(scores[1]);
    expect(firstExpiry).toBeGreaterThan(Date.now() + (TTL_SEC - 60) * 1000);
    expect(firstExpiry).toBeLessThanOrEqual(Date.now() + TTL_SEC * 1000);
  });

  it('api - NotifyPending honours limit and returns the oldest first', async () => {
    const user = uniqueName('limit');
    const ids = [(await send(user, { text: 'a' })).id, (await send(user, { text: 'b' })).id, (await send(user, { text: 'c' })).id];
    const page = await h.bus.request(NotifyPending, { user, limit: 2 }, { timeoutMs: 3000 });
    expect(page.notifications.map((n) => n.id)).toEqual(ids.slice(0, 2));
  });

  it.each([
    ['a bad user id', { user: 'bob smith', kind: 'invite', text: 'x' }, /user/],
    ['a wildcard user id', { user: '*', kind: 'invite', text: 'x' }, /user/],
    ['a bad kind', { user: 'bob', kind: 'Has Spaces', text: 'x' }, /kind/],
    ['a missing kind', { user: 'bob', text: 'x' }, /kind/],
    ['an empty text', { user: 'bob', kind: 'invite', text: '' }, /text/],
    ['a text too long', { user: 'bob', kind: 'invite', text: 'x'.repeat(8001) }, /text/],
    ['data that is not an object', { user: 'bob', kind: 'invite', text: 'x', data: 'not an object' }, /data/],
  ])('api - %s is refused by the service with BAD_REQUEST', async (_what, data, where) => {
    const reply = await rawSend(h, data);
    expect(reply.ok).toBe(false);
    expect(reply.error).toMatchObject({ code: 'BAD_REQUEST', service: 'notification-service/notif-1' });
    expect(reply.error?.message).toMatch(where);
  });

  it('api - blank text and oversized data are refused with BAD_REQUEST and their NOTIF_ code', async () => {
    const blank = await rejection(send('bob', { text: '  \n\t ' }));
    expect(blank).toMatchObject({ code: 'BAD_REQUEST', retryable: false, service: 'notification-service' });
    expect(blank.message).toMatch(/^NOTIF_TEXT_BLANK/);

    const big = await rejection(send('bob', { data: { blob: 'x'.repeat(100) } }));
    expect(big.code).toBe('BAD_REQUEST');
    expect(big.message).toMatch(/^NOTIF_DATA_TOO_LARGE: data is \d+ bytes, the limit is 64/);
    expect(await pending('bob')).toEqual([]);
  });

  it('api - the typed Bus refuses a bad request before sending it, with the same BAD_REQUEST', async () => {
    const err = await rejection(send('no spaces allowed', {}));
    expect(err.code).toBe('BAD_REQUEST');
    const ack = await rejection(h.bus.request(NotifyAck, { user: 'bob', ids: [] }, { timeoutMs: 3000 }));
    expect(ack.code).toBe('BAD_REQUEST');
  });

  it('api - NotifyPending and NotifyAck refuse a bad user with BAD_REQUEST from the service', async () => {
    for (const [subject, type, data] of [
      [NotifyPending.subject, 'notify.pending.v1', { user: 'a b' }],
      [NotifyAck.subject, 'notify.ack.v1', { user: 'bob', ids: [] }],
    ] as const) {
      const body = JSON.stringify({ id: 'raw-2', type, source: 'test/raw', time: Date.now(), data });
      const msg = await h.nc.request(subject, new TextEncoder().encode(body), { timeout: 2000 });
      expect(JSON.parse(new TextDecoder().decode(msg.data))).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
  });

  it('api - metrics count created, live and stored deliveries and acks', async () => {
    const user = uniqueName('metrics');
    const before = {
      created: await h.metric('relay_notifications_created_total', { kind: 'metric-test' }),
      stored: await h.metric('relay_notifications_delivered_total', { path: 'stored' }),
      acked: await h.metric('relay_notifications_acked_total'),
    };
    const { id } = await send(user, { kind: 'metric-test' });
    await pending(user);
    await h.bus.request(NotifyAck, { user, ids: [id] }, { timeoutMs: 3000 });
    expect((await h.metric('relay_notifications_created_total', { kind: 'metric-test' })) - before.created).toBe(1);
    expect((await h.metric('relay_notifications_delivered_total', { path: 'stored' })) - before.stored).toBe(1);
    expect((await h.metric('relay_notifications_acked_total')) - before.acked).toBe(1);
  });
});
