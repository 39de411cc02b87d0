import { newId, UserNotification, type Notification } from '@relay/contracts';
import { uniqueName, waitFor } from '@relay/testing';
import { useGatewayWorld } from '../test/harness';

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
});
