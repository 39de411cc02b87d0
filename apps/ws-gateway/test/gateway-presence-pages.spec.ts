import {
  ContractError,
  PresenceHeartbeat,
  PresenceRoomMembers,
  PresenceSessionUpdate,
  PresenceSync,
  type RoomMembersReply,
} from '@relay/contracts';
import { Bus } from '@relay/bus';
import { uniqueName } from '@relay/testing';
import { connect, type NatsConnection } from 'nats';
import { startGateway, useGatewayWorld, type RunningGateway } from './harness';
import { MAX_PRESENCE_PAGES } from '../src/handlers/presence';

const silent = { warn: () => undefined, error: () => undefined };

/**
 * presence-service as it answers a large room: scripted pages per room, each pointing at the
 * next with an opaque cursor. It also answers the gateway's own session updates and heartbeats,
 * so the presence breaker only ever sees what a test makes fail.
 */
class PagedPresence {
  readonly requests: Array<{ room: string; cursor?: string }> = [];
  /** room -> the pages presence-service would send, in order. */
  readonly rooms = new Map<string, string[][]>();
  /** room -> the page index that answers DEPENDENCY_DOWN (Redis went away mid-listing). */
  readonly failAt = new Map<string, number>();
  /** Rooms whose listing never says "done". */
  readonly endless = new Set<string>();

  private constructor(private readonly nc: NatsConnection) {}

  static async start(natsUrl: string): Promise<PagedPresence> {
    const nc = await connect({ servers: natsUrl });
    const fake = new PagedPresence(nc);
    const bus = new Bus(nc, { source: 'fake/paged-presence', logger: silent });
    bus.serve(PresenceSessionUpdate, async () => ({ applied: true }));
    bus.serve(PresenceHeartbeat, async () => ({ resync: false, leaseMs: 10000 }));
    bus.serve(PresenceSync, async () => ({ sessions: 0, memberships: 0 }));
    bus.serve(PresenceRoomMembers, async ({ room, cursor }) => fake.page(room, cursor));
    await nc.flush();
    return fake;
  }

  private async page(room: string, cursor: string | undefined): Promise<RoomMembersReply> {
    this.requests.push({ room, cursor });
    if (this.endless.has(room)) return { users: [], count: 0, cursor: String(Number(cursor ?? '0') + 1) };
    const pages = this.rooms.get(room) ?? [[]];
    const index = cursor === undefined ? 0 : pages.findIndex((_p, i) => cursorOf(i) === cursor);
    if (index < 0) throw new ContractError('BAD_REQUEST', `unknown cursor ${cursor}`, 'presence-service');
    if (this.failAt.get(room) === index) throw new ContractError('DEPENDENCY_DOWN', 'redis is down', 'presence-service');
    const count = new Set(pages.flat()).size;
    return index + 1 < pages.length ? { users: pages[index], count, cursor: cursorOf(index + 1) } : { users: pages[index], count };
  }

  async close(): Promise<void> {
    await this.nc.drain();
  }
}

/** Opaque to the gateway: looks nothing like a page number. */
const cursorOf = (index: number) => String(index * 7919 + 13);

/** `n` distinct 64-character user ids. */
const longIds = (tag: string, n: number) => Array.from({ length: n }, (_x, i) => `${tag}_${i}_`.padEnd(64, 'x'));

/** Splits users into pages of `size`, each repeating the last `overlap` users of the one before (as HSCAN may). */
function pagesWithRepeats(users: string[], size: number, overlap: number): string[][] {
  const pages: string[][] = [];
  for (let start = 0; start < users.length; start += size) pages.push(users.slice(Math.max(0, start - overlap), start + size));
  return pages;
}

describe('gateway presence listing in pages', () => {
  let presence: PagedPresence;
  const extra: RunningGateway[] = [];
  // Declared before the world's hooks, so it runs before the world closes NATS.
  afterAll(async () => {
    for (const gw of extra) await gw.close();
    await presence?.close();
  });
  const world = useGatewayWorld({}, { fakeServices: false });

  beforeAll(async () => {
    presence = await PagedPresence.start(world.nats.url);
  });

  it('presence - a room too large for one reply comes in pages, merged and deduplicated into one sorted presence frame', async () => {
    const room = uniqueName('room');
    const users = longIds(room, 3000);
    const pages = pagesWithRepeats([...users].reverse(), 700, 25);
    presence.rooms.set(room, pages);
    const c = await world.gw.connect('alice');

    const reply = await c.request({ type: 'presence', room });
    expect(reply).toEqual({ type: 'presence', ref: reply.ref, room, users: [...users].sort() });
    // Each page asked for once, in order, the first without a cursor, then with the cursor handed back.
    expect(presence.requests.filter((r) => r.room === room).map((r) => r.cursor)).toEqual([undefined, ...pages.slice(1).map((_p, i) => cursorOf(i + 1))]);
    await c.request({ type: 'ping' });
    expect(c.received((f) => f.type === 'presence')).toHaveLength(1);
  });

  it('presence - a one-page answer (no cursor) is one request, as before paging', async () => {
    const room = uniqueName('room');
    presence.rooms.set(room, [['bob', 'alice']]);
    const c = await world.gw.connect('carol');
    expect(await c.request({ type: 'presence', room })).toMatchObject({ type: 'presence', room, users: ['alice', 'bob'] });
    expect(presence.requests.filter((r) => r.room === room)).toEqual([{ room, cursor: undefined }]);
  });

  it('presence - a listing that never ends stops at the page bound with INTERNAL', async () => {
    const room = uniqueName('room');
    presence.endless.add(room);
    const c = await world.gw.connect('dave');
    expect(await c.request({ type: 'presence', room }, 30000)).toMatchObject({ type: 'error', code: 'INTERNAL' });
    expect(presence.requests.filter((r) => r.room === room)).toHaveLength(MAX_PRESENCE_PAGES);
  });

  it('presence - a page failing midway answers SERVICE_UNAVAILABLE, with no partial list', async () => {
    // Its own gateway: the failed page's retries count in this gateway's presence breaker only.
    const gw = await startGateway(world.nats.url);
    extra.push(gw);
    const room = uniqueName('room');
    presence.rooms.set(room, pagesWithRepeats(longIds(room, 300), 100, 0));
    presence.failAt.set(room, 2);
    const c = await gw.connect('erin');
    expect(await c.request({ type: 'presence', room })).toMatchObject({ type: 'error', code: 'SERVICE_UNAVAILABLE' });
    expect(c.received((f) => f.type === 'presence')).toHaveLength(0);
    expect(presence.requests.filter((r) => r.room === room && r.cursor === cursorOf(2)).length).toBeGreaterThanOrEqual(1);
  });

  it('presence - regression: a room of 30,000 members with 64-character ids reaches the client whole with default limits', async () => {
    // The frame is about 2 MB, over OUTBOUND_HARD_LIMIT_BYTES (1 MiB): one frame alone on an
    // empty outbound buffer goes out; only bytes already queued count against the limit.
    const gw = await startGateway(world.nats.url);
    extra.push(gw);
    const room = uniqueName('room');
    const users = longIds(room, 30000);
    presence.rooms.set(room, pagesWithRepeats(users, 14000, 100));
    const c = await gw.connect('frank');
    const reply = await c.request({ type: 'presence', room }, 15000);
    expect(reply.type).toBe('presence');
    expect(reply.users).toEqual([...users].sort());
  });
});
