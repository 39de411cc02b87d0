import { TestStack, uniqueName, waitFor } from '@relay/testing';
import { waitUntilNothingPending } from './pending-notifications';

describe('gateway with presence and notifications', () => {
  let stack: TestStack;

  const connect = (user: string, gatewayIndex = 0) => stack.connect(user, gatewayIndex);

  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 2, env: { HEARTBEAT_INTERVAL_MS: '500' } });
  }, 90000);

  afterAll(async () => {
    await stack?.close();
  });

  it('gateway services - presence lists members on both gateways; member join and leave reach the room', async () => {
    const room = uniqueName('room');
    const alice = uniqueName('alice');
    const bob = uniqueName('bob');
    const a = await connect(alice, 0);
    await a.request({ type: 'join', room });
    const b = await connect(bob, 1);
    await b.request({ type: 'join', room });
    expect(await a.next((f) => f.type === 'member' && f.user === bob && f.event === 'join', 10000)).toEqual({ type: 'member', room, user: bob, event: 'join' });
    const users = await waitFor(
      async () => {
        const p = await a.request({ type: 'presence', room });
        const list = (p.users as string[] | undefined) ?? [];
        return list.includes(alice) && list.includes(bob) ? list : undefined;
      },
      { what: 'both users in presence', timeoutMs: 10000 },
    );
    expect(users.sort()).toEqual([alice, bob].sort());
    await b.close();
    expect(await a.next((f) => f.type === 'member' && f.user === bob && f.event === 'leave', 10000)).toMatchObject({ room, event: 'leave' });
  });

  it('gateway services - a mention reaches the online user live, and an offline user after the next welcome, once', async () => {
    const room = uniqueName('room');
    const alice = uniqueName('alice');
    const bob = uniqueName('bob');
    const carol = uniqueName('carol');
    const a = await connect(alice, 0);
    const b = await connect(bob, 1);
    await a.request({ type: 'join', room });
    // Presence must know bob is online before the mention is sent.
    await waitFor(
      async () => {
        const p = await a.request({ type: 'presence', room });
        return p.type === 'presence';
      },
      { what: 'presence answering' },
    );
    await a.request({ type: 'send', room, text: `hi @${bob} and @${carol}` });
    expect(await b.next((f) => f.type === 'notification', 10000)).toMatchObject({ type: 'notification', kind: 'mention', from: alice, room, id: expect.any(String) });
    const c = await connect(carol, 0);
    const pending = await c.next((f) => f.type === 'notification', 10000);
    expect(pending).toMatchObject({ kind: 'mention', from: alice, room });
    c.send({ type: 'ack', ids: [pending.id] });
    await waitUntilNothingPending(stack, carol);
    await c.close();
    // Acked: the next welcome brings nothing.
    const again = await connect(carol, 1);
    await expect(again.next((f) => f.type === 'notification' && f.id === pending.id, 1500)).rejects.toThrow(/no matching frame/);
  });
});
