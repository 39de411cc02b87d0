import { PresenceRoomMembers } from '@relay/contracts';
import { type Bus } from '@relay/bus';
import { startNats, startRedis, uniqueName, waitFor, type TestNats, type TestRedis } from '@relay/testing';
import { StringCodec } from 'nats';
import Redis from 'ioredis';
import { clientBus, EventLog, FakeGateway, members, online, startPresence } from './harness';
import type { PresenceApp } from '../src/app';
import { dedupId } from '../src/event-outbox';

/** A short outbox grace, so the republish test does not wait the default 5 s. */
const ENV = { OUTBOX_GRACE_MS: '1000' };

describe('presence-service with one instance', () => {
  let nats: TestNats;
  let redisServer: TestRedis;
  let app: PresenceApp;
  let bus: Bus;
  let log: EventLog;

  beforeAll(async () => {
    [nats, redisServer] = await Promise.all([startNats(), startRedis()]);
    app = await startPresence(nats.url, redisServer.url, ENV);
    bus = await clientBus(nats.url);
    log = await EventLog.create(bus);
  });

  afterAll(async () => {
    await app?.close();
    await bus?.nc.close();
    await Promise.all([nats?.close(), redisServer?.close()]);
  });

  it('sessions - first join and last leave make one member event each, and presence follows', async () => {
    const gw = new FakeGateway(bus);
    const [room, user, s1] = [uniqueName('room'), uniqueName('u'), uniqueName('s')];
    await gw.update('open', s1, user);
    await log.wait({ kind: 'online', user, reason: 'connect' });
    await gw.update('join', s1, user, room);
    await log.wait({ kind: 'join', user, room });
    expect(await members(bus, room)).toEqual([user]);
    expect(await online(bus, [user, uniqueName('nobody')])).toEqual([user]);

    await gw.update('leave', s1, user, room);
    await log.wait({ kind: 'leave', user, room });
    expect(await members(bus, room)).toEqual([]);
    await gw.update('close', s1, user);
    await log.wait({ kind: 'offline', user, reason: 'disconnect' });
    expect(await online(bus, [user])).toEqual([]);
    expect(log.of({ user }).map((e) => e.kind)).toEqual(['online', 'join', 'leave', 'offline']);
  });

  it('sessions - a user with two sessions joins once and leaves once, never flapping', async () => {
    const gw = new FakeGateway(bus);
    const [room, user, s1, s2] = [uniqueName('room'), uniqueName('u'), uniqueName('s'), uniqueName('s')];
    await gw.update('open', s1, user);
    await gw.update('join', s1, user, room);
    await gw.update('open', s2, user);
    await gw.update('join', s2, user, room);
    await gw.update('leave', s1, user, room);
    await gw.update('join', s1, user, room);
    await gw.update('close', s1, user);
    expect(await members(bus, room)).toEqual([user]);
    expect(await online(bus, [user])).toEqual([user]);
    await gw.update('close', s2, user);
    await log.wait({ kind: 'offline', user });
    // Events of one publisher arrive in order: everything before the offline is here by now.
    expect(log.of({ user }).map((e) => e.kind)).toEqual(['online', 'join', 'leave', 'offline']);
    expect(await members(bus, room)).toEqual([]);
  });

  it('sessions - updates apply in any order: leave v=6 before join v=5 leaves the user out', async () => {
    const gw = new FakeGateway(bus);
    const [room, other, user, s1] = [uniqueName('room'), uniqueName('room'), uniqueName('u'), uniqueName('s')];
    await gw.update('open', s1, user, undefined, 1);
    expect((await gw.update('leave', s1, user, room, 6)).applied).toBe(true);
    expect((await gw.update('join', s1, user, room, 5)).applied).toBe(false);
    // A duplicate (a retry) changes nothing either.
    expect((await gw.update('leave', s1, user, room, 6)).applied).toBe(false);
    await gw.update('join', s1, user, other, 7);
    await log.wait({ kind: 'join', user, room: other });
    expect(log.of({ kind: 'join', user, room })).toHaveLength(0);
    expect(await members(bus, room)).toEqual([]);
    expect(await members(bus, other)).toEqual([user]);
  });

  it('sessions - a close that overtakes its open and join leaves no session behind', async () => {
    const gw = new FakeGateway(bus);
    const [room, user, s1, marker] = [uniqueName('room'), uniqueName('u'), uniqueName('s'), uniqueName('u')];
    await gw.update('close', s1, user, undefined, 3);
    await gw.update('open', s1, user, undefined, 1);
    await gw.update('join', s1, user, room, 2);
    await gw.update('open', uniqueName('s'), marker, undefined, 4);
    await log.wait({ kind: 'online', user: marker });
    expect(log.of({ user })).toHaveLength(0);
    expect(await members(bus, room)).toEqual([]);
    expect(await online(bus, [user])).toEqual([]);
  });

  it('incarnations - a new incarnation of a gateway wipes the old one and its late updates change nothing', async () => {
    const gw = new FakeGateway(bus);
    const [room, user, s1] = [uniqueName('room'), uniqueName('u'), uniqueName('s')];
    await gw.update('open', s1, user);
    await gw.update('join', s1, user, room);
    await log.wait({ kind: 'join', user, room });
    const oldIncarnation = gw.incarnation;

    gw.restart();
    expect(await gw.heartbeat(0, 0)).toEqual({ resync: true, leaseMs: 10000 });
    await log.wait({ kind: 'offline', user, reason: 'gateway-expired' });
    expect(log.of({ user }).map((e) => e.kind)).toEqual(['online', 'join', 'leave', 'offline']);
    expect(await members(bus, room)).toEqual([]);

    const late = new FakeGateway(bus, gw.id);
    late.incarnation = oldIncarnation;
    expect((await late.update('join', uniqueName('s'), user, room, 99)).applied).toBe(false);
    expect((await late.heartbeat(1, 1, 99)).resync).toBe(false);
    expect(await members(bus, room)).toEqual([]);
    expect(await gw.heartbeat(0, 0)).toEqual({ resync: false, leaseMs: 10000 });
  });

  it('resync - counts that differ make the heartbeat ask for a snapshot, which replaces the state', async () => {
    const gw = new FakeGateway(bus);
    const [r1, r2, u1, u2, u3] = [uniqueName('room'), uniqueName('room'), uniqueName('u'), uniqueName('u'), uniqueName('u')];
    const [s1, s2, s3] = [uniqueName('s'), uniqueName('s'), uniqueName('s')];
    await gw.update('open', s1, u1);
    await gw.update('join', s1, u1, r1);
    await gw.update('open', s3, u3);
    await gw.update('join', s3, u3, r1);
    expect((await gw.heartbeat(2, 2)).resync).toBe(false);

    // The gateway holds what presence never heard of (its updates were lost): s3 gone, s2 new, s1 also in r2.
    expect((await gw.heartbeat(2, 3)).resync).toBe(true);
    const reply = await gw.sync([
      { session: s1, user: u1, connectedAt: Date.now(), rooms: [r1, r2] },
      { session: s2, user: u2, connectedAt: Date.now(), rooms: [r2] },
    ]);
    expect(reply).toEqual({ sessions: 2, memberships: 3 });
    await log.wait({ kind: 'offline', user: u3, reason: 'resync' });
    await log.wait({ kind: 'online', user: u2, reason: 'resync' });
    expect(log.of({ user: u3 }).map((e) => e.kind)).toEqual(['online', 'join', 'leave', 'offline']);
    expect(log.of({ kind: 'join', room: r2 }).map((e) => e.user).sort()).toEqual([u1, u2].sort());
    expect(log.of({ user: u1, room: r1 })).toHaveLength(1);
    expect(await members(bus, r1)).toEqual([u1]);
    expect(await members(bus, r2)).toEqual([u1, u2].sort());
    expect((await gw.heartbeat(2, 3)).resync).toBe(false);
  });

  it('resync - counts ahead of the applied v need a second heartbeat (updates may be in flight)', async () => {
    const gw = new FakeGateway(bus);
    await gw.update('open', uniqueName('s'), uniqueName('u'));
    expect((await gw.heartbeat(1, 0)).resync).toBe(false);
    expect((await gw.heartbeat(2, 0, gw.v + 1)).resync).toBe(false);
    expect((await gw.heartbeat(2, 0, gw.v + 1)).resync).toBe(true);
  });

  it('resync - a snapshot keeps what updates newer than the snapshot did', async () => {
    const gw = new FakeGateway(bus);
    const [room, user, s1, s2] = [uniqueName('room'), uniqueName('u'), uniqueName('s'), uniqueName('s')];
    await gw.update('open', s1, user, undefined, 1);
    await gw.update('open', s2, user, undefined, 5);
    await gw.update('join', s2, user, room, 6);
    // Snapshot taken at v=4 (before s2 existed) arrives after the v=5 and v=6 updates.
    expect(await gw.sync([{ session: s1, user, connectedAt: 1, rooms: [] }], 4)).toEqual({ sessions: 2, memberships: 1 });
    expect(await members(bus, room)).toEqual([user]);
  });

  it('queries - a room with many members is listed in full, with its count', async () => {
    const gw = new FakeGateway(bus);
    const room = uniqueName('room');
    const users = Array.from({ length: 250 }, (_x, i) => `m${String(i).padStart(3, '0')}_${room}`.slice(0, 64));
    await gw.sync(users.map((u) => ({ session: `s_${u}`.slice(0, 64), user: u, connectedAt: 1, rooms: [room] })), 1);
    const reply = await bus.request(PresenceRoomMembers, { room }, { timeoutMs: 3000 });
    expect(reply.count).toBe(250);
    expect(reply.users).toEqual([...users].sort());
  });

  it('events - envelope ids come from the outbox, which is empty once NATS confirmed them', async () => {
    const gw = new FakeGateway(bus);
    const [room, user] = [uniqueName('room'), uniqueName('u')];
    await gw.update('join', uniqueName('s'), user, room);
    const [join] = await log.wait({ kind: 'join', user, room });
    expect(join.id).toMatch(/^presence-\d+-\d+$/);
    const redis = new Redis(redisServer.url);
    try {
      await waitFor(async () => (await redis.xlen('{presence}:outbox')) === 0, { timeoutMs: 3000, what: 'an empty outbox' });
    } finally {
      redis.disconnect();
    }
  });

  it('events - an event left in the outbox by a crashed instance is republished with its original id', async () => {
    const [room, user] = [uniqueName('room'), uniqueName('u')];
    const redis = new Redis(redisServer.url);
    try {
      // What a script wrote just before its instance died: in the outbox, never published.
      const id = await redis.xadd('{presence}:outbox', '*', 'e', 'join', 'u', user, 'r', room, 'why', '', 'at', String(Date.now()), 'c', 'crashed');
      const [event] = await log.wait({ kind: 'join', user, room }, 1, 5000);
      expect(event.id).toBe(dedupId(id as string));
    } finally {
      redis.disconnect();
    }
  });

  it('errors - invalid payloads get BAD_REQUEST and the service keeps answering', async () => {
    const gw = new FakeGateway(bus);
    const user = uniqueName('u');
    const codec = StringCodec();
    const raw = await bus.nc.request('presence.v1.session', codec.encode('not json'), { timeout: 3000 });
    expect(JSON.parse(codec.decode(raw.data))).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });

    const noRoom = gw.update('join', uniqueName('s'), user);
    await expect(noRoom).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('PRESENCE_ROOM_REQUIRED') });
    const s = uniqueName('s');
    await expect(gw.sync([{ session: s, user, connectedAt: 1, rooms: [] }, { session: s, user, connectedAt: 1, rooms: [] }])).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('PRESENCE_SNAPSHOT_DUPLICATE'),
    });
    // A room name that would widen a subject, sent around the typed client's own validation.
    const envelope = { id: 'x1', type: 'presence.members.v1', source: 'test', time: Date.now(), data: { room: 'a.>' } };
    const bad = await bus.nc.request('presence.v1.members', codec.encode(JSON.stringify(envelope)), { timeout: 3000 });
    expect(JSON.parse(codec.decode(bad.data))).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    await expect(bus.request(PresenceRoomMembers, { room: 'lobby' }, { timeoutMs: 3000 })).resolves.toEqual({ users: [], count: 0 });
  });

  it('restart - a new instance on the same Redis answers as the old one did', async () => {
    const gw = new FakeGateway(bus);
    const [room, user, s1] = [uniqueName('room'), uniqueName('u'), uniqueName('s')];
    await gw.update('open', s1, user);
    await gw.update('join', s1, user, room);
    await app.close();
    app = await startPresence(nats.url, redisServer.url, ENV);
    expect(await members(bus, room)).toEqual([user]);
    expect(await online(bus, [user])).toEqual([user]);
    expect((await gw.heartbeat(1, 1)).resync).toBe(false);
    await gw.update('close', s1, user);
    await log.wait({ kind: 'offline', user });
    expect(log.of({ user }).map((e) => e.kind)).toEqual(['online', 'join', 'leave', 'offline']);
  });

  it('restart - on an empty Redis the heartbeat asks for a snapshot and presence is rebuilt from it', async () => {
    const gw = new FakeGateway(bus);
    const [room, user, s1] = [uniqueName('room'), uniqueName('u'), uniqueName('s')];
    await gw.update('open', s1, user);
    await gw.update('join', s1, user, room);
    const redis = new Redis(redisServer.url);
    try {
      await redis.flushall();
    } finally {
      redis.disconnect();
    }
    expect(await members(bus, room)).toEqual([]);
    expect((await gw.heartbeat(1, 1)).resync).toBe(true);
    await gw.sync([{ session: s1, user, connectedAt: 1, rooms: [room] }]);
    expect(await members(bus, room)).toEqual([user]);
    expect((await gw.heartbeat(1, 1)).resync).toBe(false);
  });
});

