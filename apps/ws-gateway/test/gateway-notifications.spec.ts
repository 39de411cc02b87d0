import { encodeSubjectToken, newId, UserNotification, type Notification } from '@relay/contracts';
import { uniqueName, waitFor } from '@relay/testing';
import { useGatewayWorld } from './harness';

function notification(user: string, text: string): Notification {
  return { id: newId(), kind: 'mention', user, from: 'alice', room: 'lobby', text, ts: Date.now() };
}

describe('gateway notifications', () => {
  const world = useGatewayWorld();

  it('notifications - pending ones arrive right after welcome and stay pending until the client acks them', async () => {
    const { gw, fake } = world;
    const user = uniqueName('u');
    const n = notification(user, 'while you were away');
    fake.pending.set(user, [n]);
    const c = await gw.connect(user);
    const frame = await c.next((f) => f.type === 'notification');
    expect(frame).toEqual({ type: 'notification', id: n.id, kind: 'mention', from: 'alice', room: 'lobby', text: n.text, ts: n.ts });
    expect(c.frames[0].type).toBe('welcome');
    await c.request({ type: 'ping' });
    // Handed to the socket is not "the client has it".
    expect(fake.acks.filter((a) => a.user === user)).toEqual([]);
    c.send({ type: 'ack', ids: [n.id] });
    await waitFor(() => fake.acks.some((a) => a.user === user && a.ids.includes(n.id)), { what: 'ack' });
    expect(fake.pending.get(user)).toEqual([]);
  });

  it('notifications - a live one goes to every connection of the user once; an ack frame acks it for that user, with no reply', async () => {
    const { gw, fake } = world;
    const user = uniqueName('u');
    const c1 = await gw.connect(user);
    const c2 = await gw.connect(user);
    const other = await gw.connect(uniqueName('u'));
    // Both connections are registered once the second one's pending request has arrived.
    await waitFor(() => fake.pendingRequests.filter((u) => u === user).length === 2, { what: 'both connections registered' });
    const n = notification(user, 'live');
    fake.bus.publish(UserNotification, { user }, n);
    // The same id again (a redelivery): not shown twice on the same connection.
    fake.bus.publish(UserNotification, { user }, n);
    expect(await c1.next((f) => f.type === 'notification')).toMatchObject({ id: n.id });
    expect(await c2.next((f) => f.type === 'notification')).toMatchObject({ id: n.id });
    c1.send({ type: 'ack', ids: [n.id] });
    await waitFor(() => fake.acks.some((a) => a.user === user), { what: 'ack' });
    await c1.request({ type: 'ping' });
    await c2.request({ type: 'ping' });
    expect(fake.acks.filter((a) => a.user === user)).toEqual([{ user, ids: [n.id] }]);
    expect(c1.received((f) => f.type === 'notification')).toHaveLength(1);
    expect(c1.received((f) => f.type !== 'notification' && f.type !== 'welcome' && f.type !== 'pong')).toEqual([]);
    expect(c2.received((f) => f.type === 'notification')).toHaveLength(1);
    expect(other.received((f) => f.type === 'notification')).toHaveLength(0);
  });

  it('notifications - an ack frame without ids, or with too many, is BAD_REQUEST', async () => {
    const { gw } = world;
    const c = await gw.connect(uniqueName('u'));
    expect(await c.request({ type: 'ack', ids: [] })).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
    expect(await c.request({ type: 'ack', ids: Array.from({ length: 501 }, (_, i) => `n${i}`) })).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
  });

  it('notifications - delivered but never acked by the client: the next connection gets the same id again', async () => {
    const { gw, fake } = world;
    const user = uniqueName('u');
    const n = notification(user, 'confirm me');
    // As notification-service does: stored as pending first, then published live.
    fake.pending.set(user, [n]);
    const first = await gw.connect(user);
    fake.bus.publish(UserNotification, { user }, n);
    expect(await first.next((f) => f.type === 'notification')).toMatchObject({ id: n.id });
    await first.close();
    const second = await gw.connect(user);
    // The same id again: the protocol tells clients to drop a notification id they have shown.
    expect(await second.next((f) => f.type === 'notification')).toMatchObject({ id: n.id, text: 'confirm me' });
    expect(fake.pending.get(user)?.map((p) => p.id)).toEqual([n.id]);
  });

  it('notifications - an ack that cannot reach notification-service leaves it pending for the next connection', async () => {
    const { gw, fake } = world;
    const user = uniqueName('u');
    const n = notification(user, 'ack me');
    fake.pending.set(user, [n]);
    fake.failAcks = true;
    try {
      const first = await gw.connect(user);
      expect(await first.next((f) => f.type === 'notification')).toMatchObject({ id: n.id });
      first.send({ type: 'ack', ids: [n.id] });
      await waitFor(() => fake.ackAttempts.some((a) => a.user === user && a.ids.includes(n.id)), { what: 'an ack attempt' });
      await first.close();
      const second = await gw.connect(user);
      expect(await second.next((f) => f.type === 'notification')).toMatchObject({ id: n.id });
    } finally {
      fake.failAcks = false;
    }
  });

  it('notifications - one subscription per gateway: a notification for a user with no connection here is dropped unread, one for a connected user is read', async () => {
    const { gw, fake } = world;
    const here = uniqueName('u');
    const elsewhere = uniqueName('u');
    const c = await gw.connect(here);
    await waitFor(() => fake.pendingRequests.includes(here), { what: 'the connection registered' });
    const invalid = async () => {
      const text = await (await fetch(`${gw.http}/metrics`)).text();
      return Number(/relay_invalid_messages_total\{[^}]*type="notify\.notification\.v1"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    const before = await invalid();
    const garbage = new TextEncoder().encode('not an envelope');
    // Not parsed: a gateway drops by subject what is for users it does not hold.
    fake.nc.publish(`user.v1.${encodeSubjectToken(elsewhere)}.notification`, garbage);
    // Parsed (and refused as invalid): the user is here.
    fake.nc.publish(`user.v1.${encodeSubjectToken(here)}.notification`, garbage);
    const n = notification(here, 'after the garbage');
    fake.bus.publish(UserNotification, { user: here }, n);
    expect(await c.next((f) => f.type === 'notification')).toMatchObject({ id: n.id });
    expect((await invalid()) - before).toBe(1);
    expect(gw.app.registry.connectionsOf(elsewhere)).toBeUndefined();
  });
});
