import { newId, NotifyAck, NotifyPending, RoomMessage, UserNotification, type ChatMessage, type Notification } from '@relay/contracts';
import { uniqueName, waitFor } from '@relay/testing';
import { Harness } from './harness';

const MENTIONS_MAX = 5;

describe('mentions', () => {
  let h: Harness;
  let presence: { stop(): Promise<void> };
  let seq = 0;

  beforeAll(async () => {
    h = await Harness.start();
    presence = h.fakePresence();
    // Two instances in one queue group, as in production: every test runs against both.
    const env = { MENTIONS_MAX_PER_MESSAGE: String(MENTIONS_MAX) };
    await h.addApp(env);
    await h.addApp(env);
  });

  afterAll(async () => {
    await presence?.stop();
    await h?.close();
  });

  const message = (from: string, text: string, room = 'lobby'): ChatMessage => ({ room, id: newId(), seq: ++seq, from, text, ts: Date.now() });
  const publish = async (msg: ChatMessage) => {
    h.bus.publish(RoomMessage, { room: msg.room }, msg);
    await h.nc.flush();
  };
  const pending = async (user: string) => (await h.bus.request(NotifyPending, { user }, { timeoutMs: 3000 })).notifications;
  const pendingCount = async (user: string, n: number) => waitFor(async () => ((await pending(user)).length === n ? true : undefined), { what: `${n} pending for ${user}` });

  it('mentions - one notification per distinct mentioned user, none for the sender, one for a user mentioned twice', async () => {
    const [alice, bob, carol, dave] = ['alice', 'bob', 'carol', 'dave'].map((u) => uniqueName(u));
    const msg = message(alice, `hi @${bob} and @${carol}, @${bob} again; me @${alice}; mail ${dave}@example.com`);
    await publish(msg);
    // bob and carol are stored by the same handler run, so once both are there it is over.
    await pendingCount(bob, 1);
    await pendingCount(carol, 1);
    const [n] = await pending(bob);
    expect(n).toEqual({
      id: expect.any(String),
      kind: 'mention',
      user: bob,
      from: alice,
      room: 'lobby',
      text: msg.text,
      ts: msg.ts,
      data: { messageId: msg.id, seq: msg.seq },
    });
    expect((await pending(carol))[0].id).not.toBe(n.id);
    expect(await pending(alice)).toEqual([]);
    expect(await pending(dave)).toEqual([]);
  });

  it('mentions - an online user gets the mention live on their subject; it is pending until acked', async () => {
    const [alice, bob] = [uniqueName('alice'), uniqueName('bob')];
    h.online.add(bob);
    const live: Notification[] = [];
    const sub = h.bus.subscribe(UserNotification, { user: bob }, (n) => {
      live.push(n);
    });
    await h.nc.flush();
    await publish(message(alice, `@${bob} look`));
    await waitFor(() => live.length === 1, { what: 'live mention' });
    expect(live[0]).toMatchObject({ kind: 'mention', user: bob, from: alice, text: `@${bob} look` });
    expect((await pending(bob)).map((n) => n.id)).toEqual([live[0].id]);
    await h.bus.request(NotifyAck, { user: bob, ids: [live[0].id] }, { timeoutMs: 3000 });
    expect(await pending(bob)).toEqual([]);
    sub.unsubscribe();
  });

  it('mentions - a redelivered message creates no second notification', async () => {
    const [alice, bob] = [uniqueName('alice'), uniqueName('bob')];
    const msg = message(alice, `ping @${bob}`);
    const duplicatesBefore = await h.metric('relay_notifications_duplicates_total', { source: 'mention' });
    await publish(msg);
    await pendingCount(bob, 1);
    await publish(msg);
    await waitFor(async () => (await h.metric('relay_notifications_duplicates_total', { source: 'mention' })) === duplicatesBefore + 1, {
      what: 'the redelivery to be seen as a duplicate',
    });
    expect((await pending(bob)).length).toBe(1);

    // Even after the first was acknowledged, the same message makes nothing new.
    const [first] = await pending(bob);
    await h.bus.request(NotifyAck, { user: bob, ids: [first.id] }, { timeoutMs: 3000 });
    await publish(msg);
    await waitFor(async () => (await h.metric('relay_notifications_duplicates_total', { source: 'mention' })) === duplicatesBefore + 2, {
      what: 'the second redelivery to be seen as a duplicate',
    });
    expect(await pending(bob)).toEqual([]);
  });

  it('mentions - two instances in the queue group scan each message exactly once', async () => {
    const [alice, bob] = [uniqueName('alice'), uniqueName('bob')];
    const count = 20;
    const perInstanceBefore = await Promise.all(h.apps.map((a) => scanned(a)));
    for (let i = 0; i < count; i++) h.bus.publish(RoomMessage, { room: 'lobby' }, message(alice, `#${i} @${bob}`));
    await h.nc.flush();
    await pendingCount(bob, count);
    await h.barrier();
    const perInstance = (await Promise.all(h.apps.map((a) => scanned(a)))).map((v, i) => v - perInstanceBefore[i]);
    expect(perInstance.reduce((a, b) => a + b, 0)).toBe(count);
    // NATS spreads a queue group at random: 20 messages all to one of two instances is a 1 in 500,000 event.
    expect(perInstance.every((n) => n > 0)).toBe(true);
    expect(new Set((await pending(bob)).map((n) => n.text)).size).toBe(count);
  });

  it('mentions - at most MENTIONS_MAX_PER_MESSAGE users are notified per message, the rest counted', async () => {
    const alice = uniqueName('alice');
    const users = Array.from({ length: MENTIONS_MAX + 2 }, (_, i) => uniqueName(`u${i}`));
    const ignoredBefore = await h.metric('relay_notification_mentions_ignored_total');
    await publish(message(alice, users.map((u) => `@${u}`).join(' ')));
    await pendingCount(users[MENTIONS_MAX - 1], 1);
    await waitFor(async () => (await h.metric('relay_notification_mentions_ignored_total')) === ignoredBefore + 2, { what: 'ignored count' });
    for (const u of users.slice(0, MENTIONS_MAX)) expect(await pending(u)).toHaveLength(1);
    for (const u of users.slice(MENTIONS_MAX)) expect(await pending(u)).toEqual([]);
  });

  it('mentions - a message without mentions, or mentioning only its sender, notifies nobody', async () => {
    const alice = uniqueName('alice');
    const createdBefore = await h.metric('relay_notifications_created_total', { kind: 'mention' });
    const scannedBefore = await h.metric('relay_notification_room_messages_total');
    await publish(message(alice, 'plain text, a@b.c'));
    await publish(message(alice, `note to self @${alice}`));
    await h.barrier();
    expect((await h.metric('relay_notification_room_messages_total')) - scannedBefore).toBe(2);
    // With no one to notify a handler returns before its first await: nothing can still be running.
    expect(await h.metric('relay_notifications_created_total', { kind: 'mention' })).toBe(createdBefore);
    expect(await pending(alice)).toEqual([]);
  });
});

async function scanned(app: Harness['apps'][number]): Promise<number> {
  const m = app.metrics.registry.getSingleMetric('relay_notification_room_messages_total');
  return m ? (await m.get()).values.reduce((a, v) => a + v.value, 0) : 0;
}
