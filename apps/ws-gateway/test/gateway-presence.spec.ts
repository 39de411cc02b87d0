import { RoomMember } from '@relay/contracts';
import { uniqueName, waitFor } from '@relay/testing';
import { startGateway, useGatewayWorld } from './harness';

describe('gateway presence side', () => {
  const world = useGatewayWorld({ HEARTBEAT_INTERVAL_MS: '100' });

  it('presence - open, join, leave and close are reported with an increasing v', async () => {
    const { gw, fake } = world;
    const room = uniqueName('room');
    const c = await gw.connect('alice');
    const session = c.welcome.session as string;
    await c.request({ type: 'join', room });
    await c.request({ type: 'leave', room });
    await c.close();
    const mine = await waitFor(() => {
      const u = fake.updates.filter((x) => x.session === session);
      return u.length === 4 ? u : undefined;
    }, { what: 'four session updates' });
    const byV = [...mine].sort((x, y) => x.v - y.v);
    expect(byV.map((u) => [u.op, u.room])).toEqual([
      ['open', undefined],
      ['join', room],
      ['leave', room],
      ['close', undefined],
    ]);
    expect(new Set(byV.map((u) => u.v)).size).toBe(4);
    for (const u of byV) expect(u).toMatchObject({ gateway: gw.config.instanceId, incarnation: gw.app.presence.incarnation, user: 'alice' });
  });

  it('presence - heartbeats carry the counts; resync=true brings a full snapshot', async () => {
    const { gw, fake } = world;
    const room = uniqueName('room');
    const c = await gw.connect('bob');
    await c.request({ type: 'join', room });
    await waitFor(() => fake.heartbeats.some((h) => h.sessions >= 1 && h.memberships >= 1 && h.gateway === gw.config.instanceId), { what: 'heartbeat with counts' });
    fake.resyncNext = true;
    const snap = await waitFor(() => fake.syncs.find((s) => s.sessions.some((x) => x.session === c.welcome.session)), { what: 'snapshot' });
    expect(snap.sessions.find((x) => x.session === c.welcome.session)).toMatchObject({ user: 'bob', rooms: [room] });
    expect(snap.incarnation).toBe(gw.app.presence.incarnation);
  });

  it('presence - a failed update marks the gateway dirty and the next heartbeat sends a snapshot', async () => {
    const { fake, nats } = world;
    const other = await startGateway(nats.url, { HEARTBEAT_INTERVAL_MS: '60000' });
    try {
      const presence = other.app.presence;
      fake.failUpdates = true;
      let session: unknown;
      try {
        const c = await other.connect('carl');
        session = c.welcome.session;
        await waitFor(() => presence.isDirty, { what: 'dirty after the update failed' });
      } finally {
        fake.failUpdates = false;
      }
      const snap = await waitFor(
        async () => {
          await presence.beat();
          return !presence.isDirty && fake.syncs.find((s) => s.incarnation === presence.incarnation);
        },
        { what: 'snapshot after dirty' },
      );
      expect(snap.sessions.map((s) => s.session)).toEqual([session]);
    } finally {
      await other.close();
    }
  });

  it('presence - member events are forwarded to every joined connection', async () => {
    const { gw, fake } = world;
    const room = uniqueName('room');
    const a = await gw.connect('dora');
    const a2 = await gw.connect('dora');
    await a.request({ type: 'join', room });
    await a2.request({ type: 'join', room });
    fake.bus.publish(RoomMember, { room }, { room, user: 'dora', event: 'join' });
    expect(await a.next((f) => f.type === 'member')).toEqual({ type: 'member', room, user: 'dora', event: 'join' });
    expect(await a2.next((f) => f.type === 'member')).toEqual({ type: 'member', room, user: 'dora', event: 'join' });
  });
});
