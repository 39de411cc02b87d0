import { startRedisCluster, startRedisSentinel, TestStack, uniqueName, waitFor, type TestClient, type TestRedisCluster, type TestRedisSentinel } from '@relay/testing';
import { connectRedis } from '@relay/service-kit';
import pino from 'pino';
import { chatRound, expectExactlyOnceInOrder, type Acked } from './support/chat-under-faults';

/** The whole system on a real Redis Cluster, then on a Sentinel-managed primary that fails over mid-chat. */
describe('Relay on a 3-master Redis Cluster', () => {
  let cluster: TestRedisCluster;
  let stack: TestStack;

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 });
    stack = await TestStack.start({ gateways: 2, env: { REDIS_URL: cluster.url } });
  }, 180000);

  afterAll(async () => {
    await stack?.close();
    await cluster?.close();
  });

  it('redis cluster - rooms on every master: chat in order on both gateways, history, presence and a pending mention all work', async () => {
    const prefix = uniqueName('rc');
    // Rooms until all three masters own at least one (the hash tag {room} picks the master).
    const rooms: string[] = [];
    const masters = new Set<number>();
    for (let i = 0; masters.size < 3 && i < 200; i++) {
      rooms.push(`${prefix}-${i}`);
      masters.add(await cluster.nodePortOf(`chat:{${prefix}-${i}}:seq`));
    }
    expect(masters.size).toBe(3);
    const a = await stack.connect('alice', 0);
    const b = await stack.connect('bob', 1);
    for (const room of rooms) {
      for (const m of [a, b]) await m.request({ type: 'join', room });
      const acked = await chatRound([a, b], room, 'm', 3);
      for (const m of [a, b]) await expectExactlyOnceInOrder(m, room, acked);
      const page = await a.request({ type: 'history', room });
      expect((page.messages as { seq: number }[]).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    }
    // Presence scripts (one slot, {presence}) and notification scripts ({user}) on the cluster too.
    expect(await a.request({ type: 'presence', room: rooms[0] })).toMatchObject({ type: 'presence', users: ['alice', 'bob'] });
    const offline = uniqueName('zed');
    await a.request({ type: 'send', room: rooms[0], text: `hi @${offline}` });
    // Stored while the user is offline (the notification script's keys share {user}) ...
    const redis = connectRedis({ url: cluster.url, logger: pino({ level: 'silent' }) });
    try {
      await waitFor(async () => (await redis.zcard(`notif:{${offline}}:pending`).catch(() => 0)) > 0, { timeoutMs: 15000, what: 'the pending mention in the cluster' });
    } finally {
      await redis.quit();
    }
    // ... and delivered when the user connects.
    const z = await stack.connect(offline, 1);
    await z.next((f) => f.type === 'notification', 10000);
    expect(z.received((f) => f.type === 'notification')[0]).toMatchObject({ kind: 'mention', from: 'alice', room: rooms[0] });
  }, 120000);
});

describe('Relay across a real Redis Sentinel failover', () => {
  let sentinel: TestRedisSentinel;
  let stack: TestStack;

  beforeAll(async () => {
    sentinel = await startRedisSentinel();
    stack = await TestStack.start({ gateways: 2, env: { REDIS_URL: sentinel.url } });
  }, 180000);

  afterAll(async () => {
    await stack?.close();
    await sentinel?.close();
  });

  it('redis sentinel - the primary killed mid-chat: sends retry through the failover, nothing acknowledged is lost, every member sees each message once in order', async () => {
    const room = uniqueName('rs');
    const members: TestClient[] = [await stack.connect('ann', 0), await stack.connect('ben', 1), await stack.connect('cat', 1)];
    for (const m of members) await m.request({ type: 'join', room });
    const [ann, ben] = members;
    const acked: Acked[] = [];
    acked.push(...(await chatRound([ann, ben], room, 'before', 10)));
    const oldPrimary = await sentinel.primaryPort();
    const during = chatRound([ann, ben], room, 'during', 15);
    const newPrimary = await sentinel.killPrimary();
    acked.push(...(await during));
    expect(newPrimary).not.toBe(oldPrimary);
    acked.push(...(await chatRound([ann, ben], room, 'after', 10)));
    expect(new Set(acked.map((a) => a.seq)).size).toBe(acked.length);
    for (const m of members) await expectExactlyOnceInOrder(m, room, acked, 30000);
    const page = await members[2].request({ type: 'history', room, limit: 100 });
    const stored = new Map((page.messages as { seq: number; text: string }[]).map((m) => [m.seq, m.text]));
    for (const a of acked) expect(stored.get(a.seq)).toBe(a.text);
  }, 120000);
});
