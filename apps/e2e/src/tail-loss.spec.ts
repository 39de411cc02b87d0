/**
 * No silent tail loss: a message stored but never published (chat-service crashed between store
 * and publish, or the publish was lost in a NATS reconnect) reaches every member anyway, within
 * the gateways' tail-check interval, although no later message shows the hole.
 */
import Redis from 'ioredis';
import { newId } from '@relay/contracts';
import { TestStack, uniqueName, type Frame } from '@relay/testing';

const CHECK_MS = 500;
const isMessage = (room: string) => (f: Frame) => f.type === 'message' && f.room === room;

/** Stores a message exactly as chat-service's append script does, and publishes nothing. */
async function storeWithoutPublish(redisUrl: string, room: string, from: string, text: string): Promise<{ id: string; seq: number }> {
  const redis = new Redis(redisUrl);
  try {
    const epoch = (await redis.get(`chat:{${room}}:epoch`))?.split('|')[0];
    const seq = await redis.incr(`chat:{${room}}:seq`);
    const id = newId();
    await redis.zadd(`chat:{${room}}:log`, seq, JSON.stringify({ room, id, from, text, ts: Date.now(), seq, epoch }));
    return { id, seq };
  } finally {
    redis.disconnect();
  }
}

describe('missed tail', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 2, appEnv: { 'ws-gateway': { TAIL_CHECK_INTERVAL_MS: String(CHECK_MS) } } });
  }, 120000);

  afterAll(async () => {
    await stack?.close();
  });

  it('missed tail - a stored message whose publish was lost (nothing after it) reaches members on both gateways within the check interval, once', async () => {
    const room = uniqueName('room');
    const alice = await stack.connect(uniqueName('alice'), 0);
    const bob = await stack.connect(uniqueName('bob'), 1);
    for (const c of [alice, bob]) await c.request({ type: 'join', room });
    for (const text of ['one', 'two']) expect(await alice.request({ type: 'send', room, text })).toMatchObject({ type: 'sent' });
    for (const c of [alice, bob]) await c.collect(isMessage(room), 2);

    const lost = await storeWithoutPublish(stack.redis.url, room, 'carol', 'the last word');

    for (const c of [alice, bob]) {
      // A few check rounds at most; generous for a loaded machine.
      const got = await c.next((f) => isMessage(room)(f) && f.id === lost.id, 30000);
      expect(got).toMatchObject({ seq: 3, text: 'the last word', from: 'carol' });
    }
    // Later rounds fetch nothing more: once each.
    const next = await alice.request({ type: 'send', room, text: 'three' });
    expect(next).toMatchObject({ type: 'sent', seq: 4 });
    for (const c of [alice, bob]) {
      await c.next((f) => isMessage(room)(f) && f.seq === 4, 10000);
      expect(c.received(isMessage(room)).map((f) => f.seq)).toEqual([1, 2, 3, 4]);
    }
  }, 120000);
});
