// Mentions survive notification-service's absence: they wait in the CHAT_MENTIONS stream and the
// durable consumer delivers them when an instance is back, each exactly once.
import { newId, NotifyPending } from '@relay/contracts';
import { uniqueName, waitFor } from '@relay/testing';
import { Harness } from './harness';

describe('durable mentions', () => {
  let h: Harness;
  let presence: { stop(): Promise<void> };
  let seq = 0;

  beforeAll(async () => {
    h = await Harness.start();
    presence = h.fakePresence();
  });

  afterAll(async () => {
    await presence?.stop();
    await h?.close();
  });

  const pending = async (user: string) => (await h.bus.request(NotifyPending, { user }, { timeoutMs: 3000 })).notifications;
  const mention = (from: string, to: string, text: string) =>
    h.publishMention({ room: 'lobby', messageId: newId(), seq: ++seq, from, mentioned: [to], text, ts: Date.now() });
  const stopApps = async () => {
    for (const app of h.apps.splice(0)) await app.close();
  };

  it('durable mentions - mentions made while no instance runs are delivered after one starts, each once', async () => {
    const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((u) => uniqueName(u));
    await h.addApp();
    await mention(alice, bob, 'before the outage');
    await waitFor(async () => ((await pending(bob)).length === 1 ? true : undefined), { what: 'the first mention' });
    await stopApps();

    const count = 15;
    for (let i = 0; i < count; i++) await mention(alice, i % 2 === 0 ? bob : carol, `during the outage #${i}`);
    // Nobody to read them: they wait in the stream.
    expect(await h.nc.jetstreamManager().then((m) => m.consumers.info('CHAT_MENTIONS', 'notification-service')).then((c) => c.num_pending)).toBe(count);

    await h.addApp();
    await h.addApp();
    const want = { [bob]: 1 + Math.ceil(count / 2), [carol]: Math.floor(count / 2) };
    for (const [user, n] of Object.entries(want)) {
      await waitFor(async () => ((await pending(user)).length === n ? true : undefined), { what: `${n} pending for ${user}`, timeoutMs: 15000 });
    }
    await waitFor(async () => (await h.nc.jetstreamManager().then((m) => m.consumers.info('CHAT_MENTIONS', 'notification-service'))).num_ack_pending === 0, {
      what: 'every delivery acked',
    });
    const texts = [...(await pending(bob)), ...(await pending(carol))].map((n) => n.text);
    expect(new Set(texts).size).toBe(texts.length);
    expect(texts.filter((t) => t.startsWith('during the outage')).sort()).toEqual(Array.from({ length: count }, (_, i) => `during the outage #${i}`).sort());
    expect(await h.metric('relay_notifications_duplicates_total', { source: 'mention' })).toBe(0);
    await stopApps();
  }, 60_000);

  it('durable mentions - a handler failure (Redis down) is delivered again later, and creates one notification', async () => {
    const [alice, bob] = [uniqueName('alice'), uniqueName('bob')];
    await h.addApp();
    await h.redis.server.stop();
    await mention(alice, bob, 'while redis is down');
    await waitFor(async () => (await h.metric('relay_durable_messages_total', { outcome: 'retried' })) > 0, { what: 'a failed delivery to be retried', timeoutMs: 15000 });
    await h.redis.server.start();
    const [n] = await waitFor(async () => {
      const list = await pending(bob);
      return list.length > 0 ? list : undefined;
    }, { what: 'the mention after Redis is back', timeoutMs: 30000 });
    expect(n).toMatchObject({ kind: 'mention', from: alice, user: bob, text: 'while redis is down' });
    await waitFor(async () => (await h.metric('relay_durable_messages_total', { outcome: 'acked' })) > 0, { what: 'the ack' });
    expect(await pending(bob)).toHaveLength(1);
    await stopApps();
  }, 60_000);
});
