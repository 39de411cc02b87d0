import type { Bus } from '@relay/bus';
import { startNats, startRedis, uniqueName, waitFor, type TestNats, type TestRedis } from '@relay/testing';
import Redis from 'ioredis';
import { clientBus, EventLog, FakeGateway, members, online, startPresence } from './harness';
import type { PresenceApp } from '../src/app';

/**
 * Short leases keep the test quick; the bound is lease + sweep interval (+ one script). Not
 * shorter: on a loaded machine a live gateway's heartbeat must still arrive within its lease.
 */
const LEASE_MS = 1500;
const SWEEP_MS = 100;
const ENV = { GATEWAY_LEASE_MS: String(LEASE_MS), SWEEP_INTERVAL_MS: String(SWEEP_MS) };

describe('presence-service with two instances and short leases', () => {
  let nats: TestNats;
  let redisServer: TestRedis;
  let redis: Redis;
  let apps: PresenceApp[] = [];
  let bus: Bus;
  let log: EventLog;
  const timers: NodeJS.Timeout[] = [];

  /** Heartbeats like a live gateway would, until the test ends or the returned function is called (the gateway dies). */
  const keepAlive = (gw: FakeGateway, counts: () => [number, number]) => {
    const timer = setInterval(() => void gw.heartbeat(...counts()).catch(() => undefined), LEASE_MS / 6);
    timers.push(timer);
    return () => clearInterval(timer);
  };

  /** Every event made so far has reached this client: both outboxes confirmed, then a round trip. */
  const settled = async () => {
    await waitFor(async () => (await redis.xlen('{presence}:outbox')) === 0, { timeoutMs: 3000, what: 'an empty outbox' });
    await bus.nc.flush();
  };

  beforeAll(async () => {
    [nats, redisServer] = await Promise.all([startNats(), startRedis()]);
    apps = await Promise.all([startPresence(nats.url, redisServer.url, ENV), startPresence(nats.url, redisServer.url, ENV)]);
    redis = new Redis(redisServer.url);
    bus = await clientBus(nats.url);
    log = await EventLog.create(bus);
  });

  afterAll(async () => {
    timers.forEach((t) => clearInterval(t));
    await Promise.all(apps.map((a) => a.close()));
    redis?.disconnect();
    await bus?.nc.close();
    await Promise.all([nats?.close(), redisServer?.close()]);
  });

  it('two instances - concurrent updates through the queue group make each transition exactly once', async () => {
    const gws = [new FakeGateway(bus), new FakeGateway(bus)];
    gws.forEach((gw) => keepAlive(gw, () => [0, 0]));
    const rooms = [uniqueName('room'), uniqueName('room')];
    const users = Array.from({ length: 10 }, () => uniqueName('u'));
    // Every user has one session on each gateway, in both rooms; then everything closes.
    await Promise.all(
      users.flatMap((user) =>
        gws.map(async (gw) => {
          const s = uniqueName('s');
          await gw.update('open', s, user);
          await Promise.all(rooms.map((room) => gw.update('join', s, user, room)));
          await gw.update('leave', s, user, rooms[0]);
          await gw.update('close', s, user);
        }),
      ),
    );
    await log.wait({ kind: 'offline', reason: 'disconnect' }, users.length);
    await settled();
    for (const user of users) {
      expect(log.of({ user, kind: 'online' })).toHaveLength(1);
      expect(log.of({ user, kind: 'offline' })).toHaveLength(1);
      for (const room of rooms) {
        expect(log.of({ user, room, kind: 'join' })).toHaveLength(1);
        expect(log.of({ user, room, kind: 'leave' })).toHaveLength(1);
      }
    }
    // Both instances really took part.
    for (const app of apps) {
      const served = (await app.metrics.registry.getSingleMetric('relay_presence_requests_total')?.get())?.values ?? [];
      const count = served.filter((v) => v.labels.type === 'session').reduce((n, v) => n + v.value, 0);
      expect(count).toBeGreaterThan(0);
    }
    expect(await members(bus, rooms[1])).toEqual([]);
  });

  it('leases - a silent gateway is expired within lease + sweep, each leave exactly once though both instances sweep', async () => {
    const [room, survivor] = [uniqueName('room'), uniqueName('u')];
    const live = new FakeGateway(bus);
    await live.update('open', 'keep', survivor);
    await live.update('join', 'keep', survivor, room);
    keepAlive(live, () => [1, 1]);

    const dead = new FakeGateway(bus);
    const users = Array.from({ length: 8 }, () => uniqueName('u'));
    const die = keepAlive(dead, () => [0, 0]);
    for (const user of users) {
      const s = uniqueName('s');
      await dead.update('open', s, user);
      await dead.update('join', s, user, room);
    }
    // The survivor also has a session on the dead gateway: it must not leave the room.
    await dead.update('open', 'second', survivor);
    await dead.update('join', 'second', survivor, room);
    await log.wait({ kind: 'join', room }, users.length + 1);
    die();
    expect((await dead.heartbeat(users.length + 1, users.length + 1)).resync).toBe(false);
    const lastHeartbeat = Date.now();

    const offline = await log.wait({ kind: 'offline', reason: 'gateway-expired' }, users.length, 10000);
    const elapsed = Math.max(...offline.map((e) => e.receivedAt)) - lastHeartbeat;
    console.log(`gateway expiry: last event ${elapsed} ms after the last heartbeat (lease ${LEASE_MS} ms, sweep ${SWEEP_MS} ms)`);
    await settled();
    for (const user of users) {
      expect(log.of({ user, room, kind: 'leave' })).toHaveLength(1);
      expect(log.of({ user, kind: 'offline' })).toHaveLength(1);
    }
    expect(log.of({ user: survivor, kind: 'leave' })).toHaveLength(0);
    expect(await members(bus, room)).toEqual([survivor]);
    expect(await online(bus, [...users, survivor])).toEqual([survivor]);

    // Updates still in flight from the dead incarnation change nothing...
    expect((await dead.update('join', uniqueName('s'), users[0], room)).applied).toBe(false);
    expect(await members(bus, room)).toEqual([survivor]);
    // ...but if it was only partitioned and heartbeats again, it is asked for a snapshot and comes back.
    expect((await dead.heartbeat(1, 1)).resync).toBe(true);
    await dead.sync([{ session: 'back', user: users[0], connectedAt: 1, rooms: [room] }]);
    expect(await members(bus, room)).toEqual([survivor, users[0]].sort());
  });

  it('leases - a gateway that comes back under its id with a new incarnation does not resurrect old sessions', async () => {
    const [room, user] = [uniqueName('room'), uniqueName('u')];
    const gw = new FakeGateway(bus);
    const die = keepAlive(gw, () => [1, 1]);
    await gw.update('open', 's1', user);
    await gw.update('join', 's1', user, room);
    die();
    await log.wait({ kind: 'offline', user, reason: 'gateway-expired' }, 1, 10000);
    gw.restart();
    expect((await gw.heartbeat(0, 0)).resync).toBe(true);
    await gw.sync([]);
    expect(await members(bus, room)).toEqual([]);
    expect(await online(bus, [user])).toEqual([]);
  });

  it('leases - after presence itself was down longer than a lease, gateways get one more term instead of mass expiry', async () => {
    const [room, user] = [uniqueName('room'), uniqueName('u')];
    const gw = new FakeGateway(bus);
    await gw.heartbeat(0, 0);
    await gw.update('join', 's1', user, room);
    await Promise.all(apps.map((a) => a.close()));
    // Nobody swept for longer than a lease: what a presence outage looks like in Redis.
    await redis.set('{presence}:swept', String(Date.now() - LEASE_MS * 10));
    await redis.zadd('{presence}:leases', String(Date.now() - LEASE_MS * 5), gw.id);
    apps = await Promise.all([startPresence(nats.url, redisServer.url, ENV), startPresence(nats.url, redisServer.url, ENV)]);
    await waitFor(async () => Number(await redis.zscore('{presence}:leases', gw.id)) > Date.now(), { timeoutMs: 3000, what: 'a renewed lease' });
    expect((await gw.heartbeat(1, 1)).resync).toBe(false);
    expect(await members(bus, room)).toEqual([user]);
    expect(log.of({ user, kind: 'leave' })).toHaveLength(0);
  });

  it('errors - with Redis down requests fail fast with DEPENDENCY_DOWN, and work again once it is back', async () => {
    const room = uniqueName('room');
    await redisServer.server.kill();
    await expect(members(bus, room)).rejects.toMatchObject({ code: 'DEPENDENCY_DOWN', retryable: true, message: expect.stringContaining('PRESENCE_STORE_UNAVAILABLE') });
    await redisServer.server.start();
    await waitFor(async () => (await members(bus, room)).length === 0, { timeoutMs: 10000, what: 'presence answering again' });
    const gw = new FakeGateway(bus);
    const user = uniqueName('u');
    await gw.update('join', uniqueName('s'), user, room);
    expect(await members(bus, room)).toEqual([user]);
  });
});
