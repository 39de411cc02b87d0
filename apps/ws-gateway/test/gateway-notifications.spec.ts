import { newId, UserNotification, type Notification } from '@relay/contracts';
import { uniqueName, waitFor } from '@relay/testing';
import { useGatewayWorld } from './harness';

function notification(user: string, text: string): Notification {
  return { id: newId(), kind: 'mention', user, from: 'alice', room: 'lobby', text, ts: Date.now() };
}

describe('gateway notifications', () => {
  const world = useGatewayWorld();

  it('notifications - pending ones arrive right after welcome and are acked', async () => {
    const { gw, fake } = world;
    const user = uniqueName('u');
    const n = notification(user, 'while you were away');
    fake.pending.set(user, [n]);
    const c = await gw.connect(user);
    const frame = await c.next((f) => f.type === 'notification');
    expect(frame).toEqual({ type: 'notification', id: n.id, kind: 'mention', from: 'alice', room: 'lobby', text: n.text, ts: n.ts });
    expect(c.frames[0].type).toBe('welcome');
    await waitFor(() => fake.acks.some((a) => a.user === user && a.ids.includes(n.id)), { what: 'ack' });
    expect(fake.pending.get(user)).toEqual([]);
  });

  it('notifications - a live one goes to every connection of the user once, and is acked', async () => {
    const { gw, fake } = world;
    const user = uniqueName('u');
    const c1 = await gw.connect(user);
    const c2 = await gw.connect(user);
    const other = await gw.connect(uniqueName('u'));
    const n = notification(user, 'live');
    fake.bus.publish(UserNotification, { user }, n);
    // The same id again (a redelivery): not shown twice on the same connection.
    fake.bus.publish(UserNotification, { user }, n);
    expect(await c1.next((f) => f.type === 'notification')).toMatchObject({ id: n.id });
    expect(await c2.next((f) => f.type === 'notification')).toMatchObject({ id: n.id });
    await waitFor(() => fake.acks.filter((a) => a.user === user).length >= 2, { what: 'acks' });
    await c1.request({ type: 'ping' });
    await c2.request({ type: 'ping' });
    expect(c1.received((f) => f.type === 'notification')).toHaveLength(1);
    expect(c2.received((f) => f.type === 'notification')).toHaveLength(1);
    expect(other.received((f) => f.type === 'notification')).toHaveLength(0);
  });

  it('notifications - delivered but never confirmed (a crash before the ack): the next connection gets the same id again', async () => {
    const { gw, fake } = world;
    const user = uniqueName('u');
    const n = notification(user, 'confirm me');
    // As notification-service does: stored as pending first, then published live.
    fake.pending.set(user, [n]);
    fake.failAcks = true;
    try {
      const first = await gw.connect(user);
      fake.bus.publish(UserNotification, { user }, n);
      expect(await first.next((f) => f.type === 'notification')).toMatchObject({ id: n.id });
      await waitFor(() => fake.ackAttempts.some((a) => a.user === user && a.ids.includes(n.id)), { what: 'an ack attempt' });
      await first.close();
      // Still unconfirmed (acks keep failing, retries included): the next connection gets it again.
      const second = await gw.connect(user);
      // The same id again: the protocol tells clients to drop a notification id they have shown.
      expect(await second.next((f) => f.type === 'notification')).toMatchObject({ id: n.id, text: 'confirm me' });
      // Every confirmation failed, so it is still pending for whoever connects next.
      expect(fake.pending.get(user)?.map((p) => p.id)).toEqual([n.id]);
    } finally {
      fake.failAcks = false;
    }
  });
});
