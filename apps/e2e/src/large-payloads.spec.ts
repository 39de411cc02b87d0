import { TestClient, TestStack, uniqueName, type Frame } from '@relay/testing';
import { waitUntilNothingPending } from './pending-notifications';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
/** Close to the 4,000 code-point limit, 4 UTF-8 bytes each: about the largest text a frame may carry. */
const BIG = '😀'.repeat(3990);

/**
 * Lists that outgrow one NATS message (1 MiB): history pages, join replays and pending
 * notifications of large texts. Each once crashed the service that answered them.
 */
describe('large payloads', () => {
  let stack: TestStack;

  const connect = (user: string) => stack.connect(user);

  /** Sends n large messages, waiting for each `sent` (the rate limit allows 20/s). */
  const sendBig = async (c: TestClient, room: string, n: number, text: (i: number) => string) => {
    for (let i = 0; i < n; i++) expect(await c.request({ type: 'send', room, text: text(i) }, 10000)).toMatchObject({ type: 'sent' });
  };

  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 1, appEnv: { 'ws-gateway': { RATE_PER_SEC: '500', RATE_BURST: '500' } } });
  }, 90000);

  afterAll(async () => {
    await stack?.close();
  });

  it('large payloads - regression: 100 large messages crashed chat-service on history and on join with since', async () => {
    const room = uniqueName('big');
    const alice = await connect('alice');
    await alice.request({ type: 'join', room });
    await sendBig(alice, room, 100, (i) => `${i} ${BIG}`);

    const page = await alice.request({ type: 'history', room, limit: 100 });
    expect(page.type).toBe('history');
    const pageSeqs = (page.messages as Frame[]).map((m) => m.seq as number);
    expect(pageSeqs.length).toBeGreaterThan(0);
    expect(pageSeqs).toEqual(range(101 - pageSeqs.length, 100));

    const bob = await connect('bob');
    expect(await bob.request({ type: 'join', room, since: 0 }, 15000)).toMatchObject({ type: 'joined', seq: 100, recovered: true });
    const replay = await bob.collect((f) => f.type === 'message' && f.room === room, 100, 15000);
    expect(replay.map((f) => f.seq)).toEqual(range(1, 100));
    // Live traffic after the replay: exactly once, nothing replayed twice.
    await alice.request({ type: 'send', room, text: 'after' });
    expect(await bob.next((f) => f.type === 'message' && f.room === room)).toMatchObject({ seq: 101, text: 'after' });
    await bob.request({ type: 'ping' });
    expect(bob.received((f) => f.type === 'message' && f.room === room)).toHaveLength(101);
    expect(stack.chat[0].running).toBe(true);
  });

  it('large payloads - regression: a large backlog of pending notifications crashed notification-service', async () => {
    const room = uniqueName('mentions');
    const victim = uniqueName('victim');
    const sender = await connect('mallory');
    await sender.request({ type: 'join', room });
    await sendBig(sender, room, 80, (i) => `@${victim} ${i} ${'😀'.repeat(3900)}`);

    // Offline while mentioned: all 80 wait as pending, and arrive on the next connection, once each.
    const v = await connect(victim);
    const got = await v.collect((f) => f.type === 'notification', 80, 20000);
    expect(new Set(got.map((f) => f.id)).size).toBe(80);
    await v.request({ type: 'ping' });
    expect(v.received((f) => f.type === 'notification')).toHaveLength(80);
    expect(stack.notification[0].running).toBe(true);

    // Acked: the next connection gets none of them again.
    v.send({ type: 'ack', ids: got.map((f) => f.id as string) });
    await waitUntilNothingPending(stack, victim);
    await v.close();
    const again = await connect(victim);
    await again.request({ type: 'ping' });
    const marker = uniqueName('m');
    await sender.request({ type: 'send', room, text: `@${victim} ${marker}` });
    expect(await again.next((f) => f.type === 'notification')).toMatchObject({ text: expect.stringContaining(marker) });
  });
});
