import { newId, NotifyPending, NotifySend, PresenceOnline, UserNotification, type Notification } from '@relay/contracts';
import { uniqueName, waitFor } from '@relay/testing';
import { Harness } from './harness';

/**
 * presence-service down, slow or behind an open breaker: "unknown" means store, never lose.
 * Own file, own NATS and Redis: the breaker this opens must not leak into other tests.
 */
describe('presence down', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.start();
    await h.addApp({ PRESENCE_TIMEOUT_MS: '200', PRESENCE_BREAKER_RESET_MS: '300' });
  });

  afterAll(async () => {
    await h?.close();
  });

  const send = (user: string, text = 'hello') => h.bus.request(NotifySend, { user, kind: 'invite', text }, { timeoutMs: 3000 });
  const pending = async (user: string) => (await h.bus.request(NotifyPending, { user }, { timeoutMs: 3000 })).notifications;

  it('presence down - a presence-service that does not answer in time: the notification is stored', async () => {
    const user = uniqueName('slow');
    // Takes the requests and never answers them.
    const hung = h.nc.subscribe(PresenceOnline.subject, { queue: PresenceOnline.queue, callback: () => undefined });
    await h.nc.flush();
    const reply = await send(user);
    hung.unsubscribe();
    expect(reply.delivered).toBe('stored');
    expect((await pending(user)).map((n) => n.id)).toEqual([reply.id]);
  });

  it('presence down - no presence-service at all: stored, and still published to the user subject', async () => {
    const user = uniqueName('nopresence');
    const live: Notification[] = [];
    const sub = h.bus.subscribe(UserNotification, { user }, (n) => {
      live.push(n);
    });
    await h.nc.flush();
    const ids: string[] = [];
    // Enough failures to open the breaker: it answers "unknown" at once from then on.
    for (let i = 0; i < 7; i++) {
      const reply = await send(user, `n${i}`);
      expect(reply.delivered).toBe('stored');
      ids.push(reply.id);
    }
    expect((await pending(user)).map((n) => n.id)).toEqual(ids);
    await waitFor(() => live.length === ids.length, { what: 'best-effort live publishes' });
    expect(live.map((n) => n.id)).toEqual(ids);
    sub.unsubscribe();
  });

  it('presence down - a mention while presence is down is stored for the user', async () => {
    const [alice, bob] = [uniqueName('alice'), uniqueName('bob')];
    await h.publishMention({ room: 'lobby', messageId: newId(), seq: 1, from: alice, mentioned: [bob], text: `@${bob} hi`, ts: Date.now() });
    const [n] = await waitFor(async () => {
      const list = await pending(bob);
      return list.length > 0 ? list : undefined;
    }, { what: 'stored mention' });
    expect(n).toMatchObject({ kind: 'mention', from: alice, user: bob });
  });

  it('presence down - once presence-service is back, online users get notifications live again', async () => {
    const user = uniqueName('back');
    h.online.add(user);
    const presence = h.fakePresence();
    await h.nc.flush();
    // The breaker lets a trial call through after its reset time; then it closes.
    await waitFor(async () => (await send(user)).delivered === 'live', { what: 'live delivery after recovery', timeoutMs: 5000, intervalMs: 100 });
    expect(h.apps[0].breakers.states()).toEqual({ 'presence-service': 'closed' });
    await presence.stop();
  });
});
