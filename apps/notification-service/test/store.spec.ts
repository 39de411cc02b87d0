import { createLogger, connectRedis, redisReady, type Redis } from '@relay/service-kit';
import { startRedis, uniqueName, waitFor, type TestRedis } from '@relay/testing';
import { isContractError, newId, type Notification } from '@relay/contracts';
import { NotificationStore } from '../src/notification-store';

const logger = createLogger({ service: 'notification-test', instanceId: 'store', level: 'silent' });
const BUDGET = 1024 * 1024;

describe('notification store', () => {
  let server: TestRedis;
  let redis: Redis;

  beforeAll(async () => {
    server = await startRedis();
    redis = connectRedis({ url: server.url, logger });
    await redisReady(redis, 5000);
  });

  afterAll(async () => {
    redis?.disconnect();
    await server?.close();
  });

  const note = (user: string, text = 'x'): Notification => ({ id: newId(), kind: 'test', user, text, ts: Date.now() });

  it('store - a notification past its TTL is gone from NotifyPending and from Redis', async () => {
    const store = new NotificationStore(redis, { pendingMaxPerUser: 10, pendingTtlMs: 150, idempotencyTtlMs: 60000 });
    const user = uniqueName('ttl');
    await store.add(note(user));
    expect((await store.pending(user, 10, BUDGET)).notifications).toHaveLength(1);
    await waitFor(async () => ((await store.pending(user, 10, BUDGET)).notifications.length === 0 ? true : undefined), { what: 'expiry', timeoutMs: 3000 });
    expect(await redis.hlen(`notif:{${user}}:body`)).toBe(0);
  });

  it('store - an expired entry is swept on the next write while newer ones stay', async () => {
    const user = uniqueName('sweep');
    const short = new NotificationStore(redis, { pendingMaxPerUser: 10, pendingTtlMs: 100, idempotencyTtlMs: 60000 });
    const long = new NotificationStore(redis, { pendingMaxPerUser: 10, pendingTtlMs: 60000, idempotencyTtlMs: 60000 });
    const old = note(user, 'old');
    await short.add(old);
    await waitFor(async () => Number(await redis.zscore(`notif:{${user}}:pending`, old.id)) < Date.now() || undefined, { what: 'old one to be past expiry' });
    const fresh = note(user, 'fresh');
    await long.add(fresh);
    expect(await redis.hkeys(`notif:{${user}}:body`)).toEqual([fresh.id]);
    expect((await long.pending(user, 10, BUDGET)).notifications.map((n) => n.text)).toEqual(['fresh']);
  });

  it('store - regression: a large backlog crashed NotifyPending; now it comes in parts within the byte budget', async () => {
    const store = new NotificationStore(redis, { pendingMaxPerUser: 100, pendingTtlMs: 60000, idempotencyTtlMs: 60000 });
    const user = uniqueName('big');
    const text = '😀'.repeat(1000);
    const added: string[] = [];
    for (let i = 0; i < 20; i++) {
      const n = note(user, `${i} ${text}`);
      added.push(n.id);
      await store.add(n);
    }
    const seen: string[] = [];
    for (let round = 0; round < 20; round++) {
      const page = await store.pending(user, 100, 20 * 1024);
      expect(Buffer.byteLength(JSON.stringify(page.notifications))).toBeLessThanOrEqual(20 * 1024 + 100);
      seen.push(...page.notifications.map((n) => n.id));
      await store.ack(user, page.notifications.map((n) => n.id));
      if (!page.more) break;
    }
    // Entries of the same millisecond may come in either order; none is lost or repeated.
    expect(seen).toHaveLength(added.length);
    expect([...seen].sort()).toEqual([...added].sort());
    expect((await store.pending(user, 100, BUDGET)).notifications).toEqual([]);
  });

  it('store - the limit also sets more', async () => {
    const store = new NotificationStore(redis, { pendingMaxPerUser: 100, pendingTtlMs: 60000, idempotencyTtlMs: 60000 });
    const user = uniqueName('limit');
    for (let i = 0; i < 3; i++) await store.add(note(user, `n${i}`));
    const two = await store.pending(user, 2, BUDGET);
    expect(two.more).toBe(true);
    expect(two.notifications).toHaveLength(2);
    const all = await store.pending(user, 3, BUDGET);
    expect(all.more).toBe(false);
    expect(all.notifications).toHaveLength(3);
  });

  it('store - offset reads the next part of a backlog that stays pending (nothing acked in between)', async () => {
    const store = new NotificationStore(redis, { pendingMaxPerUser: 100, pendingTtlMs: 60000, idempotencyTtlMs: 60000 });
    const user = uniqueName('offset');
    for (let i = 0; i < 5; i++) await store.add(note(user, `n${i}`));
    const first = await store.pending(user, 2, BUDGET);
    const second = await store.pending(user, 2, BUDGET, 2);
    const third = await store.pending(user, 2, BUDGET, 4);
    expect([first.more, second.more, third.more]).toEqual([true, true, false]);
    const ids = [...first.notifications, ...second.notifications, ...third.notifications].map((n) => n.id);
    expect(new Set(ids).size).toBe(5);
    expect((await store.pending(user, 10, BUDGET)).notifications).toHaveLength(5);
  });

  it('store - concurrent adds with one idempotency scope store exactly one', async () => {
    const store = new NotificationStore(redis, { pendingMaxPerUser: 10, pendingTtlMs: 60000, idempotencyTtlMs: 60000 });
    const user = uniqueName('race');
    const results = await Promise.all(Array.from({ length: 10 }, () => store.add(note(user), 'mention:m1')));
    expect(results.filter((r) => r.status === 'created')).toHaveLength(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect((await store.pending(user, 10, BUDGET)).notifications).toHaveLength(1);
  });

  it('store - Redis unreachable gives NOTIF_STORE_UNAVAILABLE as a retryable DEPENDENCY_DOWN', async () => {
    const down = connectRedis({ url: 'redis://127.0.0.1:1', logger });
    const store = new NotificationStore(down, { pendingMaxPerUser: 10, pendingTtlMs: 60000, idempotencyTtlMs: 60000 });
    const err = await store.pending('bob', 10, BUDGET).then(
      () => undefined,
      (e: unknown) => e,
    );
    down.disconnect();
    expect(isContractError(err) && err.code).toBe('DEPENDENCY_DOWN');
    expect(isContractError(err) && err.retryable).toBe(true);
    expect((err as Error).message).toMatch(/^NOTIF_STORE_UNAVAILABLE/);
  });
});
