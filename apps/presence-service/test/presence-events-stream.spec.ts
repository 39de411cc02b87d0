// Online/offline events are stored in the PRESENCE_EVENTS stream (presence-service creates it), so a
// backend reading it through its durable consumer misses none while it is away; core subscribers
// (notification-service's online cache) still get every event live.
import { PresenceStream, UserOnline, type UserLifecycleEvent } from '@relay/contracts';
import { Bus } from '@relay/bus';
import { startNats, startRedis, uniqueName, waitFor, type TestNats, type TestRedis } from '@relay/testing';
import { connect, type NatsConnection } from 'nats';
import type { PresenceApp } from '../src/app';
import { clientBus, FakeGateway, silent, startPresence } from './harness';

describe('presence events stream', () => {
  let nats: TestNats;
  let redis: TestRedis;
  let app: PresenceApp;
  let gatewayBus: Bus;
  let backendNc: NatsConnection;
  let backend: Bus;

  beforeAll(async () => {
    [nats, redis] = await Promise.all([startNats(), startRedis()]);
    app = await startPresence(nats.url, redis.url);
    gatewayBus = await clientBus(nats.url);
    // The backend connects with the app-backend credentials: only its durable, only acks of its own.
    backendNc = await connect({ ...nats.optionsFor('app-backend'), name: 'backend' });
    backend = new Bus(backendNc, { source: 'test/backend', logger: silent });
  });

  afterAll(async () => {
    await backend?.quiesce();
    await backendNc?.close();
    await app?.close();
    await gatewayBus?.nc.close();
    await Promise.all([nats?.close(), redis?.close()]);
  });

  it('presence stream - online and offline events are stored once, and a backend reads those it was away for', async () => {
    const gw = new FakeGateway(gatewayBus);
    const [early, late] = [uniqueName('early'), uniqueName('late')];
    const live: string[] = [];
    const sub = gatewayBus.subscribe(UserOnline, {}, (e) => {
      live.push(e.user);
    });
    await gatewayBus.nc.flush();

    await gw.update('open', uniqueName('s'), early);
    const jsm = await gatewayBus.nc.jetstreamManager();
    await waitFor(async () => (await jsm.streams.info(PresenceStream.name)).state.messages === 1, { what: 'the online event stored' });

    // The backend's first start reads what happened before it.
    const seen: UserLifecycleEvent[] = [];
    const read = () =>
      backend.consumeDurable(PresenceStream, 'app-backend', UserOnline, async (e) => {
        seen.push(e);
      });
    let consumer = read();
    await waitFor(() => seen.some((e) => e.user === early), { what: 'the earlier online event' });
    await consumer.stop();

    // Away: a user comes and goes; the online event waits for it.
    const s = uniqueName('s');
    await gw.update('open', s, late);
    await gw.update('close', s, late);
    await waitFor(async () => (await jsm.streams.info(PresenceStream.name)).state.messages === 3, { what: 'online and offline stored' });
    const offline = await jsm.streams.getMessage(PresenceStream.name, { last_by_subj: 'presence.v1.user.offline' });
    expect((offline.json() as { data: UserLifecycleEvent }).data.user).toBe(late);

    consumer = read();
    await waitFor(() => seen.some((e) => e.user === late), { what: 'the online event made while the backend was away' });
    await consumer.stop();
    expect(seen.map((e) => e.user)).toEqual([early, late]);
    // Core subscribers got them live, as before.
    await waitFor(() => live.includes(early) && live.includes(late), { what: 'live core delivery' });
    sub.unsubscribe();
  });
});
