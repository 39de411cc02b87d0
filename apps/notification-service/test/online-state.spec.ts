import { NotifySend, UserOffline, UserOnline, versionedType, type UserLifecycleEvent } from '@relay/contracts';
import { uniqueName } from '@relay/testing';
import { Harness } from './harness';

type Lifecycle = typeof UserOnline | typeof UserOffline;

/**
 * The online cache fed by presence-service's UserOnline / UserOffline events. No PresenceOnline
 * responder runs unless a test starts one: a `live` answer can then only come from the cache
 * (asking presence would get NO_RESPONDERS, i.e. `stored`).
 */
describe('online state', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.start();
    await h.addApp();
  });

  afterAll(async () => {
    await h?.close();
  });

  const send = async (user: string) => (await h.bus.request(NotifySend, { user, kind: 'invite', text: 'hi' }, { timeoutMs: 3000 })).delivered;

  /** Publishes a lifecycle event with the envelope id of our choosing, and waits until every instance has it. */
  async function publish(def: Lifecycle, data: UserLifecycleEvent, id = uniqueName('evt')): Promise<void> {
    const envelope = { id, type: versionedType(def.type, def.version), source: 'test/presence', time: data.at, data };
    h.nc.publish(def.subject, new TextEncoder().encode(JSON.stringify(envelope)));
    await h.barrier();
  }
  const online = (user: string, at = Date.now()) => ({ user, at, reason: 'connect' as const });
  const offline = (user: string, at = Date.now()) => ({ user, at, reason: 'disconnect' as const });
  const events = (outcome: string) => h.metric('relay_notification_presence_events_total', { outcome });

  it('online state - UserOnline makes NotifySend answer live with no presence-service to ask; UserOffline makes it stored', async () => {
    const user = uniqueName('ev');
    const fromCache = await h.metric('relay_notification_online_lookups_total', { source: 'cache' });
    const t = Date.now();
    await publish(UserOnline, online(user, t));
    expect(await send(user)).toBe('live');
    expect(await send(user)).toBe('live');
    await publish(UserOffline, offline(user, t + 1));
    expect(await send(user)).toBe('stored');
    expect((await h.metric('relay_notification_online_lookups_total', { source: 'cache' })) - fromCache).toBe(3);
    expect(await h.metric('relay_notification_online_lookups_total', { source: 'presence' })).toBe(0);
  });

  it('online state - an older event arriving after a newer one does not change the state', async () => {
    const [a, b] = [uniqueName('late'), uniqueName('late')];
    const stale = await events('stale');
    const t = Date.now();
    // a went offline at t; the online event of t - 50 arrives afterwards (another presence instance).
    await publish(UserOffline, offline(a, t));
    await publish(UserOnline, online(a, t - 50));
    // b came online at t; its earlier offline arrives afterwards.
    await publish(UserOnline, online(b, t));
    await publish(UserOffline, offline(b, t - 50));
    expect(await send(a)).toBe('stored');
    expect(await send(b)).toBe('live');
    expect((await events('stale')) - stale).toBe(2);
  });

  it('online state - an event whose envelope id was already seen is ignored', async () => {
    const user = uniqueName('dup');
    const duplicates = await events('duplicate');
    const t = Date.now();
    await publish(UserOnline, online(user, t), 'presence-dup-1');
    // Same envelope id, so a redelivery whatever it says: were it applied, the user would be offline.
    await publish(UserOffline, offline(user, t + 10), 'presence-dup-1');
    expect(await send(user)).toBe('live');
    expect((await events('duplicate')) - duplicates).toBe(1);
    // The same event under its own id is applied.
    await publish(UserOffline, offline(user, t + 10), 'presence-dup-2');
    expect(await send(user)).toBe('stored');
  });

  it('online state - a user the cache does not know is looked up with PresenceOnline, and the answer is cached', async () => {
    const user = uniqueName('ask');
    const asked = await h.metric('relay_notification_online_lookups_total', { source: 'presence' });
    h.online.add(user);
    const presence = h.fakePresence();
    await h.nc.flush();
    expect(await send(user)).toBe('live');
    expect((await h.metric('relay_notification_online_lookups_total', { source: 'presence' })) - asked).toBe(1);
    await presence.stop();
    // presence-service gone: the cached answer still says online.
    expect(await send(user)).toBe('live');
    // And an event still overrides it.
    await publish(UserOffline, offline(user));
    expect(await send(user)).toBe('stored');
  });

  it('online state - every instance gets every event (no queue group)', async () => {
    await h.addApp();
    const user = uniqueName('all');
    const applied = await Promise.all(h.apps.map((app) => appliedOn(app)));
    await publish(UserOnline, online(user));
    const after = await Promise.all(h.apps.map((app) => appliedOn(app)));
    expect(after.map((n, i) => n - applied[i])).toEqual([1, 1]);
  });
});

async function appliedOn(app: Harness['apps'][number]): Promise<number> {
  const m = app.metrics.registry.getSingleMetric('relay_notification_presence_events_total');
  if (!m) return 0;
  return (await m.get()).values.filter((v) => v.labels.outcome === 'applied').reduce((sum, v) => sum + v.value, 0);
}
