import { isContractError, NotifyPending, NotifySend, type RequestData } from '@relay/contracts';
import { Bus } from '@relay/bus';
import { connectNats, createLogger } from '@relay/service-kit';
import { signToken, TEST_JWT_SECRET, TestClient, TestStack, uniqueName, waitFor, type Frame } from '@relay/testing';
import type { NatsConnection } from 'nats';

const logger = createLogger({ service: 'e2e', instanceId: 'notifications', level: 'silent' });

/** Sums a counter over every notification-service process, read from /metrics. */
async function counter(stack: TestStack, name: string, labels = ''): Promise<number> {
  let total = 0;
  for (const app of stack.notification.filter((a) => a.running)) {
    const text = await (await fetch(`http://127.0.0.1:${app.port}/metrics`)).text();
    for (const line of text.split('\n')) {
      if (line.startsWith(`${name}{`) && line.includes(labels)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

describe('notifications end to end', () => {
  let stack: TestStack;
  let nc: NatsConnection;
  let bus: Bus;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    stack = await TestStack.start({
      gateways: 2,
      notification: 2,
      appEnv: { 'notification-service': { PRESENCE_TIMEOUT_MS: '300', PRESENCE_BREAKER_RESET_MS: '1000' } },
    });
    nc = await connectNats({ url: stack.nats.url, name: 'e2e-notifications', logger });
    bus = new Bus(nc, { source: 'e2e/notifications', logger });
  }, 90000);

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await nc?.drain();
    await stack?.close();
  });

  const connect = async (user: string, gateway = 0) => {
    const c = await TestClient.connect(stack.wsUrl(gateway), signToken(user, TEST_JWT_SECRET));
    clients.push(c);
    return c;
  };
  const pending = async (user: string) => (await bus.request(NotifyPending, { user }, { timeoutMs: 3000 })).notifications;
  const notifySend = (data: RequestData<typeof NotifySend>) => bus.request(NotifySend, data, { timeoutMs: 3000 });
  /** A sender joined to a fresh room. */
  const sender = async (gateway = 0) => {
    const user = uniqueName('alice');
    const room = uniqueName('room');
    const c = await connect(user, gateway);
    expect(await c.request({ type: 'join', room })).toMatchObject({ type: 'joined', room });
    const say = async (text: string) => expect(await c.request({ type: 'send', room, text })).toMatchObject({ type: 'sent' });
    return { user, room, say };
  };
  const isMention = (from: string) => (f: Frame) => f.type === 'notification' && f.kind === 'mention' && f.from === from;
  /**
   * Sends the user a notification of its own through the API and waits for it on `client`:
   * anything sent to that connection before it has arrived by then.
   */
  const barrier = async (user: string, client: TestClient) => {
    const { id } = await notifySend({ user, kind: 'barrier', text: 'barrier' });
    await client.next((f) => f.type === 'notification' && f.id === id, 5000);
  };

  it('notifications - a mention while online reaches both connections on two gateways, once each, and stays pending until a connection acks it', async () => {
    const alice = await sender(0);
    const bob = uniqueName('bob');
    const onA = await connect(bob, 0);
    const onB = await connect(bob, 1);
    await alice.say(`hi @${bob}, see this`);

    const a = await onA.next(isMention(alice.user));
    const b = await onB.next(isMention(alice.user));
    expect(a).toEqual({
      type: 'notification',
      id: expect.any(String),
      kind: 'mention',
      from: alice.user,
      room: alice.room,
      text: `hi @${bob}, see this`,
      ts: expect.any(Number),
      data: { messageId: expect.any(String), seq: 1 },
    });
    expect(b.id).toBe(a.id);
    await barrier(bob, onA);
    await barrier(bob, onB);
    expect(onA.received((f) => f.id === a.id)).toHaveLength(1);
    expect(onB.received((f) => f.id === a.id)).toHaveLength(1);
    expect((await pending(bob)).map((n) => n.id)).toContain(a.id);
    onB.send({ type: 'ack', ids: [a.id] });
    await waitFor(async () => !(await pending(bob)).some((n) => n.id === a.id), { what: 'the ack to empty the pending store' });
  });

  it('notifications - a mention while offline arrives once on the next connection, not again on the one after', async () => {
    const alice = await sender(0);
    const carol = uniqueName('carol');
    await alice.say(`@${carol} when you are back`);
    const [stored] = await waitFor(async () => {
      const list = await pending(carol);
      return list.length > 0 ? list : undefined;
    }, { what: 'the mention to be stored' });

    const first = await connect(carol, 1);
    const got = await first.next(isMention(alice.user));
    expect(got).toMatchObject({ id: stored.id, text: `@${carol} when you are back`, room: alice.room });
    first.send({ type: 'ack', ids: [got.id as string] });
    await waitFor(async () => (await pending(carol)).length === 0, { what: 'the ack' });
    await first.close();

    const second = await connect(carol, 0);
    await barrier(carol, second);
    expect(second.received((f) => f.type === 'notification' && f.kind === 'mention')).toEqual([]);
  });

  it('notifications - a socket that dies before acking gets the notification again, same id, after the next welcome; an acked one does not come again', async () => {
    const dave = uniqueName('dave');
    const first = await connect(dave, 0);
    const { id } = await notifySend({ user: dave, kind: 'invite', text: 'read me' });
    expect(await first.next((f) => f.type === 'notification' && f.id === id)).toMatchObject({ text: 'read me' });
    // Written to the socket, never acknowledged: the connection dies (1006 on the gateway).
    first.ws.terminate();

    const second = await connect(dave, 1);
    expect(await second.next((f) => f.type === 'notification' && f.id === id, 10000)).toMatchObject({ id, text: 'read me' });
    second.send({ type: 'ack', ids: [id] });
    await waitFor(async () => (await pending(dave)).length === 0, { what: 'the ack' });
    await second.close();

    const third = await connect(dave, 0);
    await barrier(dave, third);
    expect(third.received((f) => f.type === 'notification' && f.id === id)).toEqual([]);
  });

  it('notifications - two notification-service instances make one notification per mention', async () => {
    const alice = await sender(0);
    const dave = uniqueName('dave');
    const conn = await connect(dave, 1);
    const count = 6;
    const ackedBefore = await counter(stack, 'relay_durable_messages_total', 'outcome="acked"');
    const createdBefore = await counter(stack, 'relay_notifications_created_total', 'kind="mention"');
    for (let i = 0; i < count; i++) await alice.say(`#${i} @${dave}`);
    const got = await conn.collect(isMention(alice.user), count);
    expect(got.map((f) => f.text).sort()).toEqual(Array.from({ length: count }, (_, i) => `#${i} @${dave}`).sort());
    await barrier(dave, conn);
    expect(conn.received(isMention(alice.user))).toHaveLength(count);
    // One mention event per message, read once from the stream by one of the two instances.
    await waitFor(async () => (await counter(stack, 'relay_durable_messages_total', 'outcome="acked"')) === ackedBefore + count, { what: `${count} mention events acked` });
    expect(await counter(stack, 'relay_notifications_created_total', 'kind="mention"')).toBe(createdBefore + count);
  });

  it('notifications - a user mentioned twice in one message gets one notification; the sender none', async () => {
    const alice = await sender(0);
    const aliceOther = await connect(alice.user, 1);
    const erin = uniqueName('erin');
    const conn = await connect(erin, 0);
    await alice.say(`@${erin} look, @${erin}! (and @${alice.user})`);
    await conn.next(isMention(alice.user));
    await barrier(erin, conn);
    await barrier(alice.user, aliceOther);
    expect(conn.received(isMention(alice.user))).toHaveLength(1);
    expect(aliceOther.received((f) => f.type === 'notification' && f.kind === 'mention')).toEqual([]);
  });

  it('notifications - NotifySend reaches a connected user with its kind and data', async () => {
    const user = uniqueName('gina');
    const conn = await connect(user, 1);
    const reply = await notifySend({ user, kind: 'invite', text: 'join #design', room: 'design', data: { inviteId: 7 }, idempotencyKey: 'inv-7' });
    expect(await conn.next((f) => f.type === 'notification' && f.id === reply.id)).toEqual({
      type: 'notification',
      id: reply.id,
      kind: 'invite',
      room: 'design',
      text: 'join #design',
      ts: expect.any(Number),
      data: { inviteId: 7 },
    });
    expect((await notifySend({ user, kind: 'invite', text: 'join #design', idempotencyKey: 'inv-7' })).id).toBe(reply.id);
  });

  it('notifications - NotifySend answers live while presence-service has the user online, stored after they leave', async () => {
    const user = uniqueName('ivan');
    const conn = await connect(user, 0);
    const probe = () => notifySend({ user, kind: 'probe', text: 'probe' });
    await waitFor(async () => (await probe()).delivered === 'live', { what: 'presence to report the user online', timeoutMs: 5000, intervalMs: 100 });
    await conn.close();
    await waitFor(async () => (await probe()).delivered === 'stored', { what: 'presence to report the user offline', timeoutMs: 5000, intervalMs: 100 });
  });

  it.each([
    ['a bad user', { user: 'bad user', kind: 'invite', text: 'x' }],
    ['a bad kind', { user: 'bob', kind: 'NOT-A-KIND', text: 'x' }],
    ['an empty text', { user: 'bob', kind: 'invite', text: '' }],
  ])('notifications - NotifySend with %s is refused by the service with BAD_REQUEST', async (_what, data) => {
    // Raw NATS: the typed Bus would refuse it before sending; this checks the service itself.
    const body = JSON.stringify({ id: uniqueName('raw'), type: 'notify.send.v1', source: 'e2e/raw', time: Date.now(), data });
    const msg = await nc.request(NotifySend.subject, new TextEncoder().encode(body), { timeout: 3000 });
    const reply = JSON.parse(new TextDecoder().decode(msg.data));
    expect(reply).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', retryable: false, service: expect.stringMatching(/^notification-service\//) } });
  });

  it('notifications - NotifySend with blank text comes back as a typed ContractError', async () => {
    const err = await notifySend({ user: 'bob', kind: 'invite', text: '   ' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isContractError(err) && { code: err.code, service: err.service }).toEqual({ code: 'BAD_REQUEST', service: 'notification-service' });
    expect((err as Error).message).toMatch(/^NOTIF_TEXT_BLANK/);
  });

  // Last: it stops presence-service for good.
  it('notifications - with presence-service stopped, notifications are stored and delivered on the next connection', async () => {
    const alice = await sender(0);
    await Promise.all(stack.presence.map((p) => p.stop()));
    const hank = uniqueName('hank');
    await alice.say(`@${hank} presence is down`);
    const reply = await notifySend({ user: hank, kind: 'invite', text: 'also this' });
    expect(reply.delivered).toBe('stored');
    await waitFor(async () => (await pending(hank)).length === 2, { what: 'both to be stored' });

    const conn = await connect(hank, 1);
    const got = await conn.collect((f) => f.type === 'notification', 2);
    expect(got.map((f) => f.text).sort()).toEqual(['@' + hank + ' presence is down', 'also this'].sort());
    conn.send({ type: 'ack', ids: got.map((f) => f.id as string) });
    await waitFor(async () => (await pending(hank)).length === 0, { what: 'the acks' });
  });
});
