import { newId, NotifyAck, NotifyPending, RoomMention, UserNotification, type ChatMessage, type MentionEvent, type Notification } from '@relay/contracts';
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
    // Two instances on one durable consumer, as in production: every test runs against both.
    const env = { MENTIONS_MAX_PER_MESSAGE: String(MENTIONS_MAX) };
    await h.addApp(env);
    await h.addApp(env);
  });

  afterAll(async () => {
    await presence?.stop();
    await h?.close();
  });

  const message = (from: string, text: string, room = 'lobby'): ChatMessage => ({ room, id: newId(), seq: ++seq, from, text, ts: Date.now() });
  const eventOf = (msg: ChatMessage): MentionEvent => {
    const event = Harness.mentionOf(msg);
    if (!event) throw new Error(`test bug: "${msg.text}" mentions nobody`);
    return event;
  };
  const publish = (msg: ChatMessage) => h.publishMention(eventOf(msg));
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

  it('mentions - the same mention delivered again creates no second notification', async () => {
    const [alice, bob] = [uniqueName('alice'), uniqueName('bob')];
    const msg = message(alice, `ping @${bob}`);
    const duplicatesBefore = await h.metric('relay_notifications_duplicates_total', { source: 'mention' });
    await publish(msg);
    await pendingCount(bob, 1);
    // A second copy in the stream (another envelope id, so the stream's own dedup does not hide it).
    await h.republishMention(eventOf(msg));
    await waitFor(async () => (await h.metric('relay_notifications_duplicates_total', { source: 'mention' })) === duplicatesBefore + 1, {
      what: 'the redelivery to be seen as a duplicate',
    });
    expect((await pending(bob)).length).toBe(1);

    // Even after the first was acknowledged, the same message makes nothing new.
    const [first] = await pending(bob);
    await h.bus.request(NotifyAck, { user: bob, ids: [first.id] }, { timeoutMs: 3000 });
    await h.republishMention(eventOf(msg));
    await waitFor(async () => (await h.metric('relay_notifications_duplicates_total', { source: 'mention' })) === duplicatesBefore + 2, {
      what: 'the second redelivery to be seen as a duplicate',
    });
    expect(await pending(bob)).toEqual([]);
  });

  it('mentions - a publish retried with the same message id is stored once by the stream', async () => {
    const [alice, bob] = [uniqueName('alice'), uniqueName('bob')];
    const msg = message(alice, `once @${bob}`);
    const duplicatesBefore = await h.metric('relay_notifications_duplicates_total', { source: 'mention' });
    await publish(msg);
    await publish(msg);
    await pendingCount(bob, 1);
    await h.publishMention(eventOf(message(alice, `after @${bob}`)));
    await pendingCount(bob, 2);
    // The retried publish never reached the consumer: the stream kept one copy.
    expect(await h.metric('relay_notifications_duplicates_total', { source: 'mention' })).toBe(duplicatesBefore);
  });

  it('mentions - two instances share the durable consumer: each mention is handled once', async () => {
    const [alice, bob] = [uniqueName('alice'), uniqueName('bob')];
    const count = 20;
    const ackedBefore = await h.metric('relay_durable_messages_total', { outcome: 'acked' });
    await Promise.all(Array.from({ length: count }, (_, i) => publish(message(alice, `#${i} @${bob}`))));
    await pendingCount(bob, count);
    await waitFor(async () => (await h.metric('relay_durable_messages_total', { outcome: 'acked' })) - ackedBefore === count, { what: `${count} acks` });
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

  it('mentions - an event naming only its sender notifies nobody, and is acked', async () => {
    const alice = uniqueName('alice');
    const createdBefore = await h.metric('relay_notifications_created_total', { kind: 'mention' });
    const ackedBefore = await h.metric('relay_durable_messages_total', { outcome: 'acked' });
    await h.publishMention({ room: 'lobby', messageId: newId(), seq: ++seq, from: alice, mentioned: [alice], text: `note to self @${alice}`, ts: Date.now() });
    await waitFor(async () => (await h.metric('relay_durable_messages_total', { outcome: 'acked' })) === ackedBefore + 1, { what: 'the ack' });
    expect(await h.metric('relay_notifications_created_total', { kind: 'mention' })).toBe(createdBefore);
    expect(await pending(alice)).toEqual([]);
  });

  it('mentions - a malformed event is terminated and counted, and the ones after it still arrive', async () => {
    const [alice, bob] = [uniqueName('alice'), uniqueName('bob')];
    const poisonBefore = await h.metric('relay_durable_messages_total', { outcome: 'poison' });
    // Straight into the stream, past the publisher's own contract check.
    await h.nc.jetstream().publish('chat.v1.room.lobby.mention', new TextEncoder().encode(JSON.stringify({ id: newId(), type: `${RoomMention.type}.v1`, source: 'x', time: 1, data: { room: 'lobby' } })));
    await h.nc.jetstream().publish('chat.v1.room.lobby.mention', new TextEncoder().encode('not json'));
    await publish(message(alice, `still here @${bob}`));
    await pendingCount(bob, 1);
    await waitFor(async () => (await h.metric('relay_durable_messages_total', { outcome: 'poison' })) === poisonBefore + 2, { what: 'two poison messages counted' });
  });
});
