/**
 * Chat across a Redis that loses or keeps its data, with the real apps as processes.
 *
 * The regression this guards: Redis restarted without persistence, every room's seq started
 * again at 1, and gateways that still held the room dropped each new message as already
 * delivered while senders got `sent`: silent loss. Room epochs make the reset visible.
 */
import Redis from 'ioredis';
import { TestStack, uniqueName, waitFor, type Frame, type TestClient } from '@relay/testing';

const isMessage = (room: string) => (f: Frame) => f.type === 'message' && f.room === room;

/** Sends until one `sent` comes back: right after a Redis restart the services reconnect first. */
async function sendOnce(client: TestClient, room: string, text: string): Promise<Frame> {
  const clientMsgId = uniqueName('cm');
  return waitFor(
    async () => {
      const reply = await client.request({ type: 'send', room, text, clientMsgId }, 5000);
      return reply.type === 'sent' ? reply : false;
    },
    { timeoutMs: 30000, intervalMs: 200, what: `a sent for "${text}"` },
  );
}

async function joinedPair(stack: TestStack, room: string): Promise<[TestClient, TestClient]> {
  const alice = await stack.connect(uniqueName('alice'), 0);
  const bob = await stack.connect(uniqueName('bob'), 1);
  for (const c of [alice, bob]) expect(await c.request({ type: 'join', room })).toMatchObject({ type: 'joined', seq: 0 });
  return [alice, bob];
}

describe('redis reset and restart', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 2, chat: 2 });
  }, 120000);

  afterAll(async () => {
    await stack?.close();
  });

  it('silent loss after a redis reset - after FLUSHALL senders still get sent and members on both gateways still receive new messages', async () => {
    const room = uniqueName('room');
    const [alice, bob] = await joinedPair(stack, room);
    for (let i = 1; i <= 3; i++) await sendOnce(alice, room, `before ${i}`);
    const before = await bob.collect(isMessage(room), 3);
    const oldEpoch = before[0].epoch as string;
    expect(typeof oldEpoch).toBe('string');

    const admin = new Redis(stack.redis.url);
    try {
      await admin.flushall();
    } finally {
      admin.disconnect();
    }

    const sent = await sendOnce(bob, room, 'after the wipe');
    expect(sent).toMatchObject({ type: 'sent', seq: 1 });
    for (const c of [alice, bob]) {
      const got = await c.next((f) => isMessage(room)(f) && f.text === 'after the wipe', 10000);
      expect(got.seq).toBe(1);
      expect(got.epoch).not.toBe(oldEpoch);
    }
    // A client that comes back with the old epoch's seq is told to start over, not "recovered".
    const carol = await stack.connect(uniqueName('carol'), 0);
    const rejoined = await carol.request({ type: 'join', room, since: 1, epoch: oldEpoch });
    expect(rejoined).toMatchObject({ type: 'joined', seq: 1, recovered: false });
    expect(rejoined.epoch).not.toBe(oldEpoch);
  }, 60000);

  it('silent loss after a redis reset - a restart of redis-server without persistence: new messages still reach every member', async () => {
    const room = uniqueName('room');
    const [alice, bob] = await joinedPair(stack, room);
    for (let i = 1; i <= 3; i++) await sendOnce(alice, room, `before ${i}`);
    await bob.collect(isMessage(room), 3);

    await stack.redis.server.restart();

    const sent = await sendOnce(alice, room, 'after the restart');
    expect(sent.seq).toBe(1);
    for (const c of [alice, bob]) expect((await c.next((f) => isMessage(room)(f) && f.text === 'after the restart', 15000)).seq).toBe(1);
  }, 90000);
});

describe('durable redis', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 1, chat: 1, durableRedis: true });
  }, 120000);

  afterAll(async () => {
    await stack?.close();
  });

  it('durable redis - every acknowledged message is still in history after redis-server restarts, and new ones reach members', async () => {
    const room = uniqueName('room');
    const alice = await stack.connect(uniqueName('alice'));
    await alice.request({ type: 'join', room });
    const acked: Frame[] = [];
    for (let i = 1; i <= 10; i++) acked.push(await sendOnce(alice, room, `m${i}`));
    await alice.collect(isMessage(room), 10);

    await stack.redis.server.restart();

    const after = await sendOnce(alice, room, 'after the restart');
    expect(after.seq).toBe(11);
    const live = await alice.next((f) => isMessage(room)(f) && f.text === 'after the restart', 15000);
    expect(live.seq).toBe(11);
    const history = await alice.request({ type: 'history', room, limit: 100 });
    const kept = (history.messages as Frame[]).map((m) => [m.id, m.seq]);
    expect(kept).toEqual([...acked.map((s) => [s.id, s.seq]), [after.id, 11]]);
  }, 90000);
});
