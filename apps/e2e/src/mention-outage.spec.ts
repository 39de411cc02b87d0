// "notification-service down for 30 s loses no mention" (docs/reliability.md): every
// notification-service process is gone while users keep mentioning each other for 30 s; once one
// is back, every mention arrives as a notification, exactly once. Real processes throughout.
import { NotifyPending, type Notification } from '@relay/contracts';
import { Bus } from '@relay/bus';
import { connectNats, createLogger } from '@relay/service-kit';
import { TestStack, uniqueName, waitFor, type Frame } from '@relay/testing';
import type { NatsConnection } from 'nats';

const logger = createLogger({ service: 'e2e', instanceId: 'mention-outage', level: 'silent' });
/** The requirement: how long notification-service is down. */
const OUTAGE_MS = 30_000;
const SEND_EVERY_MS = 500;

describe('mentions across a notification-service outage', () => {
  let stack: TestStack;
  let nc: NatsConnection;
  let bus: Bus;

  beforeAll(async () => {
    stack = await TestStack.start({ notification: 2 });
    nc = await connectNats({ url: stack.nats.url, name: 'e2e-mention-outage', logger });
    bus = new Bus(nc, { source: 'e2e/mention-outage', logger });
  }, 90_000);

  afterAll(async () => {
    await nc?.drain();
    await stack?.close();
  });

  /** Every pending notification of `user`, page after page. */
  const allPending = async (user: string): Promise<Notification[]> => {
    const out: Notification[] = [];
    for (;;) {
      const page = await bus.request(NotifyPending, { user, offset: out.length }, { timeoutMs: 5000 });
      out.push(...page.notifications);
      if (!page.more) return out;
    }
  };
  const messageIdOf = (n: { data?: unknown } | Frame) => (n.data as { messageId?: string } | undefined)?.messageId;

  it('mention outage - notification-service down for 30 s loses no mention, and duplicates none', async () => {
    const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((u) => uniqueName(u));
    const room = uniqueName('room');
    const sender = await stack.connect(alice);
    expect(await sender.request({ type: 'join', room })).toMatchObject({ type: 'joined', room });
    // bob stays connected through the outage (live delivery once it is over); carol is offline (stored).
    const bobConn = await stack.connect(bob);

    // One crashes, one is stopped: nothing reads mentions any more.
    await stack.notification[0].kill();
    expect(await stack.notification[1].stop()).toBe(0);

    const sent: string[] = [];
    const started = Date.now();
    let i = 0;
    while (Date.now() - started < OUTAGE_MS) {
      const reply = await sender.request({ type: 'send', room, text: `#${i} @${i % 2 === 0 ? bob : carol} during the outage` });
      expect(reply).toMatchObject({ type: 'sent' });
      sent.push(reply.id as string);
      i++;
      await new Promise((r) => setTimeout(r, SEND_EVERY_MS));
    }
    const toBob = sent.filter((_, k) => k % 2 === 0);
    const toCarol = sent.filter((_, k) => k % 2 === 1);

    await stack.add('notification-service');

    const isMention = (f: Frame) => f.type === 'notification' && f.kind === 'mention' && f.from === alice;
    const live = await bobConn.collect(isMention, toBob.length, 30_000);
    expect(live.map(messageIdOf).sort()).toEqual([...toBob].sort());
    const stored = await waitFor(
      async () => {
        const list = await allPending(carol);
        return list.length >= toCarol.length ? list : undefined;
      },
      { what: `${toCarol.length} mentions stored for carol`, timeoutMs: 30_000 },
    );
    expect(stored.map(messageIdOf).sort()).toEqual([...toCarol].sort());

    // Exactly once: nothing more comes after everything is acknowledged by the stream's consumer.
    await waitFor(async () => (await nc.jetstreamManager()).consumers.info('CHAT_MENTIONS', 'notification-service').then((c) => c.num_pending === 0 && c.num_ack_pending === 0), {
      what: 'the durable consumer to have acked everything',
      timeoutMs: 30_000,
    });
    const bobPending = await allPending(bob);
    expect(bobPending.map(messageIdOf).sort()).toEqual([...toBob].sort());
    expect(bobConn.received(isMention)).toHaveLength(toBob.length);
    expect(await allPending(carol)).toHaveLength(toCarol.length);
  }, 150_000);
});
