import { newId, PresenceRoomMembers, PresenceSync, type RoomMembersReply, type SessionSnapshot } from '@relay/contracts';
import { type Bus } from '@relay/bus';
import { startNats, startRedis, uniqueName, type TestNats, type TestRedis } from '@relay/testing';
import Redis from 'ioredis';
import { clientBus, FakeGateway, members, startPresence } from './harness';
import type { PresenceApp } from '../src/app';
import { SNAPSHOT_SLICE_SESSIONS } from '../src/presence-store';

/** How many EVALSHA calls the Redis server has served (INFO commandstats). */
async function evalshaCalls(url: string): Promise<number> {
  const redis = new Redis(url);
  try {
    const info = await redis.info('commandstats');
    return Number(/^cmdstat_evalsha:calls=(\d+)/m.exec(info)?.[1] ?? 0);
  } finally {
    redis.disconnect();
  }
}

/** Over 1 MiB of 64-character ids: one reply could not carry them (REPLY_TOO_LARGE before paging). */
const BIG_ROOM = 30000;
/** Sessions per snapshot part: about 200 bytes each, so a part stays well under max_payload. */
const PART_SESSIONS = 3000;

/** `n` user ids of exactly 64 characters, unique to the room. */
function longIds(room: string, n: number): string[] {
  return Array.from({ length: n }, (_x, i) => `${room}_${i}_`.padEnd(64, 'x'));
}

/** Puts every user in the room with one session each, through PresenceSync parts as a large gateway does. */
async function populate(bus: Bus, room: string, users: string[]): Promise<void> {
  const gw = new FakeGateway(bus);
  const sessions: SessionSnapshot[] = users.map((user, i) => ({ session: `s${i}`, user, connectedAt: 1, rooms: [room] }));
  const id = newId();
  const count = Math.ceil(sessions.length / PART_SESSIONS);
  for (let index = 0; index < count; index++) {
    const part = sessions.slice(index * PART_SESSIONS, (index + 1) * PART_SESSIONS);
    // The last part applies the whole snapshot, in slices of a few hundred sessions per script.
    await gw.bus.request(
      PresenceSync,
      { gateway: gw.id, incarnation: gw.incarnation, v: 1, sessions: part, at: Date.now(), chunk: { id, index, count } },
      { timeoutMs: 30000 },
    );
  }
}

/** Every page of the room's members, as the raw replies, following the cursor. */
async function pagesOf(bus: Bus, room: string): Promise<RoomMembersReply[]> {
  const pages: RoomMembersReply[] = [];
  let cursor: string | undefined;
  do {
    const page = await bus.request(PresenceRoomMembers, cursor ? { room, cursor } : { room }, { timeoutMs: 10000 });
    pages.push(page);
    cursor = page.cursor;
    if (pages.length > 200) throw new Error('more than 200 pages');
  } while (cursor && cursor !== '0');
  return pages;
}

describe('presence-service room members in pages', () => {
  let nats: TestNats;
  let redisServer: TestRedis;
  let app: PresenceApp;
  let bus: Bus;
  const bigRoom = uniqueName('big');
  const bigUsers = longIds(bigRoom, BIG_ROOM);
  /** Script runs (EVALSHA) Redis served while the big snapshot was applied. */
  let scriptRuns = 0;

  beforeAll(async () => {
    [nats, redisServer] = await Promise.all([startNats(), startRedis()]);
    // The fake gateway sends no heartbeats: with the default 10 s lease, a suite slowed down by a
    // busy machine saw the sweeper expire it and remove its 30,000 sessions halfway through.
    app = await startPresence(nats.url, redisServer.url, { GATEWAY_LEASE_MS: '600000', TOMBSTONE_TTL_MS: '600000' });
    bus = await clientBus(nats.url);
    const before = await evalshaCalls(redisServer.url);
    await populate(bus, bigRoom, bigUsers);
    scriptRuns = (await evalshaCalls(redisServer.url)) - before;
  }, 120000);

  afterAll(async () => {
    await app?.close();
    await bus?.nc.close();
    await Promise.all([nats?.close(), redisServer?.close()]);
  });

  it('members - a room too large for one reply (30,000 members, 64-character ids) is listed in pages, each member once, every page under the reply budget', async () => {
    // The whole list is over what one reply may carry: this is what failed with REPLY_TOO_LARGE.
    expect(Buffer.byteLength(JSON.stringify({ users: bigUsers, count: BIG_ROOM }))).toBeGreaterThan(bus.replyBudgetBytes);

    const pages = await pagesOf(bus, bigRoom);
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) {
      expect(Buffer.byteLength(JSON.stringify(page))).toBeLessThanOrEqual(bus.replyBudgetBytes);
      expect(page.count).toBe(BIG_ROOM);
    }
    // Every page but the last says where to go on; the last says nothing.
    expect(pages.slice(0, -1).every((p) => p.cursor !== undefined && p.cursor !== '0')).toBe(true);
    expect(pages[pages.length - 1].cursor).toBeUndefined();

    const listed = pages.flatMap((p) => p.users);
    expect(listed).toHaveLength(BIG_ROOM);
    expect([...listed].sort()).toEqual([...bigUsers].sort());
  });

  it('members - with a small byte budget the same room comes in many pages, none over it, each member once', async () => {
    const budgetBytes = 64 * 1024;
    const listed: string[] = [];
    let cursor = '0';
    let pages = 0;
    do {
      const page = await app.store.roomMembersPage(bigRoom, cursor, { budgetBytes, scanCount: 2000, maxScans: 32 });
      expect(Buffer.byteLength(JSON.stringify(page))).toBeLessThanOrEqual(budgetBytes);
      listed.push(...page.users);
      cursor = page.cursor;
      pages++;
    } while (cursor !== '0' && pages <= 1000);
    expect(pages).toBeGreaterThanOrEqual(Math.ceil((BIG_ROOM * 67) / budgetBytes));
    expect(listed).toHaveLength(BIG_ROOM);
    expect(new Set(listed).size).toBe(BIG_ROOM);
  });

  it('large snapshot - regression: 30,000 sessions were applied in one Lua call that blocked Redis for seconds; now in bounded slices', async () => {
    // Ten parts staged, then at least one run per SNAPSHOT_SLICE_SESSIONS listed sessions (plus
    // the sweep): no run handles more than a slice, whatever the snapshot's size.
    expect(scriptRuns).toBeGreaterThanOrEqual(Math.ceil(BIG_ROOM / PART_SESSIONS) + Math.ceil(BIG_ROOM / SNAPSHOT_SLICE_SESSIONS));
    // Applied once: every user once in the room (the test above lists them all).
    expect((await bus.request(PresenceRoomMembers, { room: bigRoom }, { timeoutMs: 10000 })).count).toBe(BIG_ROOM);
  });

  it('members - a small room answers in one page, sorted, with no cursor', async () => {
    for (const size of [3, 1000]) {
      const room = uniqueName('small');
      const users = longIds(room, size);
      await populate(bus, room, users);
      const reply = await bus.request(PresenceRoomMembers, { room }, { timeoutMs: 10000 });
      expect(reply).toEqual({ users: [...users].sort(), count: size });
      expect(await members(bus, room)).toEqual([...users].sort());
    }
    const empty = await bus.request(PresenceRoomMembers, { room: uniqueName('empty'), cursor: '0' }, { timeoutMs: 3000 });
    expect(empty).toEqual({ users: [], count: 0 });
  });

  it('members - a cursor presence-service did not make is BAD_REQUEST, and the service keeps answering', async () => {
    await expect(bus.request(PresenceRoomMembers, { room: bigRoom, cursor: 'page-2' }, { timeoutMs: 3000 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('PRESENCE_CURSOR_INVALID'),
    });
    expect((await bus.request(PresenceRoomMembers, { room: bigRoom }, { timeoutMs: 10000 })).count).toBe(BIG_ROOM);
  });
});
