import type { Bus } from '@relay/bus';
import type { GatewaySnapshotReply, SessionSnapshot, SnapshotChunk } from '@relay/contracts';
import { newId } from '@relay/contracts';
import { startNats, startRedis, uniqueName, waitFor, type TestNats, type TestRedis } from '@relay/testing';
import Redis from 'ioredis';
import { clientBus, EventLog, FakeGateway, members, online, startPresence } from './harness';
import type { PresenceApp } from '../src/app';
import { PresenceKeys } from '../src/keys';

/** Short, so the expiry of an incomplete set is seen within the test. */
const PART_TTL_MS = 2000;
/**
 * The fake gateways send no heartbeats: a lease longer than any run of this file on a loaded
 * machine keeps the sweeper from expiring one mid-test (its leave and offline events would then
 * differ between the worlds compared).
 */
const ENV = { SNAPSHOT_PART_TTL_MS: String(PART_TTL_MS), GATEWAY_LEASE_MS: '300000', TOMBSTONE_TTL_MS: '300000' };
const KEYS = new PresenceKeys('{presence}');
/** The snapshot's own v; the scenario also sends updates newer than it. */
const SNAP_V = 100;
const GONE = 10;

/**
 * A gateway's world with every name scoped by `tag`: two worlds of the same size differ only
 * in their tag, so the state and events one produces can be compared with the other's.
 */
function world(tag: string, size: number) {
  const users = Math.ceil(size / 2);
  const user = (i: number) => `${tag}-u${i % users}`;
  const room = (j: number) => `${tag}-r${j % 40}`;
  const session = (i: number) => `${tag}-s${i}`;
  const snapshot: SessionSnapshot[] = Array.from({ length: size }, (_x, i) => ({
    session: session(i),
    user: user(i),
    connectedAt: 1000 + i,
    rooms: [...new Set([room(i), room(i * 7 + 3)])],
  }));
  const gone = Array.from({ length: GONE }, (_x, k) => ({ session: `${tag}-gone${k}`, user: `${tag}-gu${k}`, room: room(k) }));
  return { tag, user, room, session, snapshot, gone, userCount: users };
}
type World = ReturnType<typeof world>;

/** State presence holds before the snapshot, identical (but for names) in every world. */
async function prepare(gw: FakeGateway, w: World): Promise<void> {
  // Sessions presence knows but the gateway lost track of: the snapshot ends them.
  for (const [k, g] of w.gone.entries()) {
    await gw.update('open', g.session, g.user, undefined, 1 + 2 * k);
    await gw.update('join', g.session, g.user, g.room, 2 + 2 * k);
  }
  // Updates newer than the snapshot: they must survive it.
  await gw.update('leave', w.session(0), w.user(0), w.room(0), SNAP_V + 1);
  await gw.update('close', w.session(1), w.user(1), undefined, SNAP_V + 2);
}

/** Parts of `size` sessions each, as a gateway would send them, in index order. */
function split(sessions: SessionSnapshot[], size: number): Array<{ sessions: SessionSnapshot[]; chunk: SnapshotChunk }> {
  const id = newId();
  const count = Math.ceil(sessions.length / size);
  return Array.from({ length: count }, (_x, index) => ({ sessions: sessions.slice(index * size, (index + 1) * size), chunk: { id, index, count } }));
}

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Everything presence holds for the world's gateway, with the tag replaced, so worlds compare. */
async function stateOf(redis: Redis, gateway: string, w: World): Promise<unknown> {
  const norm = (x: string) => x.split(w.tag).join('T');
  const sids = [...w.snapshot.map((s) => s.session), ...w.gone.map((g) => g.session)];
  const rooms = Array.from({ length: 40 }, (_x, j) => w.room(j));
  const users = [...Array.from({ length: w.userCount }, (_x, i) => w.user(i)), ...w.gone.map((g) => g.user)];
  const p = redis.pipeline();
  for (const sid of sids) p.hgetall(`{presence}:s:${gateway}:${sid}`).hgetall(`{presence}:sr:${gateway}:${sid}`);
  for (const room of rooms) p.hgetall(KEYS.room(room));
  const res = (await p.exec()) ?? [];
  const value = (i: number) => {
    const [err, v] = res[i];
    if (err) throw err;
    return v as Record<string, string>;
  };
  const renamed = (h: Record<string, string>, keys: boolean) =>
    Object.fromEntries(Object.entries(h).map(([k, v]) => [keys ? norm(k) : k, keys ? v : norm(v)]));
  const sessions: Record<string, unknown> = {};
  // Sessions opened by an update carry the update's wall-clock `at`, which differs per world.
  const openedByUpdate = new Set([w.session(0), w.session(1), ...w.gone.map((g) => g.session)]);
  sids.forEach((sid, i) => {
    const { inc: _inc, at, ...record } = value(2 * i);
    sessions[norm(sid)] = { ...renamed(record, false), at: openedByUpdate.has(sid) ? 'clock' : at, rooms: renamed(value(2 * i + 1), true) };
  });
  const roomState: Record<string, unknown> = {};
  rooms.forEach((room, j) => (roomState[norm(room)] = renamed(value(2 * sids.length + j), true)));
  const [mem, maxv] = await redis.hmget(`{presence}:gw:${gateway}`, 'mem', 'maxv');
  const live = (await redis.smembers(`{presence}:gws:${gateway}`)).map(norm).sort();
  const flags = await redis.smismember(KEYS.online, ...users);
  return { mem, maxv, live, sessions, rooms: roomState, online: users.filter((_u, i) => flags[i] === 1).map(norm).sort() };
}

describe('presence-service chunked snapshots with two instances', () => {
  let nats: TestNats;
  let redisServer: TestRedis;
  let apps: PresenceApp[];
  let bus: Bus;
  let log: EventLog;
  let redis: Redis;

  beforeAll(async () => {
    [nats, redisServer] = await Promise.all([startNats(), startRedis()]);
    apps = await Promise.all([startPresence(nats.url, redisServer.url, ENV), startPresence(nats.url, redisServer.url, ENV)]);
    bus = await clientBus(nats.url);
    log = await EventLog.create(bus);
    redis = new Redis(redisServer.url);
  });

  afterAll(async () => {
    redis?.disconnect();
    await Promise.all((apps ?? []).map((a) => a.close()));
    await bus?.nc.close();
    await Promise.all([nats?.close(), redisServer?.close()]);
  });

  /**
   * Every event published so far has reached the test: the outbox is empty only once the
   * publishing instance's flush came back, and our own flush then returns after them.
   */
  async function eventsSettled(): Promise<void> {
    await waitFor(async () => (await redis.xlen(KEYS.outbox)) === 0, { timeoutMs: 10000, what: 'an empty outbox' });
    await bus.nc.flush();
  }

  /** The world's events, names normalized, sorted. */
  function eventsOf(w: World): string[] {
    const norm = (x: string) => x.split(w.tag).join('T');
    return log.events
      .filter((e) => e.user.startsWith(`${w.tag}-`))
      .map((e) => `${e.kind}|${norm(e.user)}|${norm(e.room ?? '')}|${e.reason ?? ''}`)
      .sort();
  }

  const sum = async (app: PresenceApp, metric: 'snapshots' | 'snapshotParts', result?: string) =>
    (await app.presenceMetrics[metric].get()).values.filter((v) => !result || v.labels.result === result).reduce((n, v) => n + v.value, 0);
  const total = async (metric: 'snapshots' | 'snapshotParts', result?: string) =>
    (await Promise.all(apps.map((a) => sum(a, metric, result)))).reduce((n, v) => n + v, 0);

  it('chunked snapshot - parts in shuffled order across two instances give the state and events of the whole snapshot, once', async () => {
    const size = 2400;
    const whole = world(uniqueName('w'), size);
    const chunked = world(uniqueName('c'), size);

    const gwWhole = new FakeGateway(bus);
    await prepare(gwWhole, whole);
    const wholeReply = await gwWhole.sync(whole.snapshot, SNAP_V);

    const gwChunked = new FakeGateway(bus);
    await prepare(gwChunked, chunked);
    const appliedBefore = await total('snapshots');
    const stagedBefore = await Promise.all(apps.map((a) => sum(a, 'snapshotParts', 'staged')));
    const parts = split(chunked.snapshot, 80);
    expect(parts.length).toBe(30);
    const replies: GatewaySnapshotReply[] = await Promise.all(shuffled(parts).map((p) => gwChunked.syncPart(p.sessions, p.chunk, SNAP_V)));

    // Exactly one part completed the set and answers with the counts; the others were staged.
    const counted = replies.filter((r) => r.sessions > 0 || r.memberships > 0);
    expect(counted).toEqual([wholeReply]);
    expect(wholeReply.sessions).toBe(size - 1);
    expect(await total('snapshots')).toBe(appliedBefore + 1);
    const stagedAfter = await Promise.all(apps.map((a) => sum(a, 'snapshotParts', 'staged')));
    // Both instances took parts: the set was assembled across the queue group.
    expect(stagedAfter.map((n, i) => n - stagedBefore[i]).every((n) => n > 0)).toBe(true);
    expect(await redis.exists(KEYS.snapshotParts(gwChunked.id, parts[0].chunk.id))).toBe(0);

    expect(await stateOf(redis, gwChunked.id, chunked)).toEqual(await stateOf(redis, gwWhole.id, whole));
    // The snapshot's effects are visible to queries, and the newer leave of session 0 survived it.
    expect((await members(bus, chunked.room(5))).length).toBeGreaterThan(0);
    expect(await online(bus, [chunked.gone[0].user])).toEqual([]);

    await eventsSettled();
    const wholeEvents = eventsOf(whole);
    const chunkedEvents = eventsOf(chunked);
    expect(chunkedEvents.filter((e) => e.includes('|resync')).length).toBeGreaterThan(size / 4);
    expect(chunkedEvents).toEqual(wholeEvents);
    // Exactly once: no transition of the chunked world was published twice.
    expect(new Set(chunkedEvents).size).toBe(chunkedEvents.length);
    const ids = log.events.filter((e) => e.user.startsWith(`${chunked.tag}-`)).map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('chunked snapshot - an incomplete set applies nothing, expires, and cannot be completed afterwards', async () => {
    const w = world(uniqueName('i'), 300);
    const gw = new FakeGateway(bus);
    const parts = split(w.snapshot, 50);
    const missing = parts[parts.length - 1];
    const sent = shuffled([...parts.slice(0, -1), parts[2]]); // part 2 twice, as a retry would
    const replies = await Promise.all(sent.map((p) => gw.syncPart(p.sessions, p.chunk, SNAP_V)));
    expect(replies.every((r) => r.sessions === 0 && r.memberships === 0)).toBe(true);

    const key = KEYS.snapshotParts(gw.id, missing.chunk.id);
    expect(await redis.hget(key, 'parts')).toBe(String(parts.length - 1)); // the retried part counts once
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(PART_TTL_MS);
    expect(await online(bus, [w.user(0), w.user(1)])).toEqual([]);
    expect(await members(bus, w.room(0))).toEqual([]);

    await waitFor(async () => (await redis.exists(key)) === 0, { timeoutMs: PART_TTL_MS + 5000, what: 'the incomplete set to expire' });
    // The last part alone starts a new set: nothing is applied from the expired one.
    expect(await gw.syncPart(missing.sessions, missing.chunk, SNAP_V)).toEqual({ sessions: 0, memberships: 0 });
    expect(await redis.hget(key, 'parts')).toBe('1');
    expect(await online(bus, [w.user(0), w.user(parts.length * 50 - 1)])).toEqual([]);
    await eventsSettled();
    expect(eventsOf(w)).toEqual([]);
    await redis.del(key);
  });

  it('chunked snapshot - parts that do not fit their set are refused, and a duplicate session across parts applies nothing', async () => {
    const w = world(uniqueName('e'), 40);
    const gw = new FakeGateway(bus);
    const [first, second] = split(w.snapshot, 20);
    await expect(gw.syncPart(first.sessions, { ...first.chunk, index: 2 }, SNAP_V)).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('PRESENCE_CHUNK_INVALID'),
    });
    expect(await gw.syncPart(first.sessions, first.chunk, SNAP_V)).toEqual({ sessions: 0, memberships: 0 });
    // Same set id, another v: not a part of this set.
    await expect(gw.syncPart(second.sessions, second.chunk, SNAP_V + 1)).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('PRESENCE_CHUNK_INVALID'),
    });

    const dup = split([...w.snapshot.slice(0, 20), w.snapshot[0]], 20);
    expect(await gw.syncPart(dup[0].sessions, dup[0].chunk, SNAP_V)).toEqual({ sessions: 0, memberships: 0 });
    await expect(gw.syncPart(dup[1].sessions, dup[1].chunk, SNAP_V)).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('PRESENCE_SNAPSHOT_DUPLICATE'),
    });
    expect(await redis.exists(KEYS.snapshotParts(gw.id, dup[0].chunk.id))).toBe(0);
    expect(await online(bus, [w.user(0)])).toEqual([]);

    // The set with the right v still completes and applies.
    expect(await gw.syncPart(second.sessions, second.chunk, SNAP_V)).toEqual({ sessions: 40, memberships: 80 });
    expect(await online(bus, [w.user(0)])).toEqual([w.user(0)]);
  });
});
