import { encodeSubjectToken, RoomMember, RoomMessage, RoomTyping, subjectFor, type ChatMessage } from '@relay/contracts';
import { uniqueName, waitFor, type TestNats } from '@relay/testing';
import { useGatewayWorld, type RunningGateway } from './harness';

/** Subjects subscribed on the NATS server, from its monitoring endpoint. */
async function subscribedSubjects(nats: TestNats): Promise<string[]> {
  const res = await fetch(`${nats.monitorUrl}/subsz?subs=1&limit=10000`);
  const body = (await res.json()) as { subscriptions_list?: Array<{ subject: string }> };
  return (body.subscriptions_list ?? []).map((s) => s.subject);
}

describe('gateway fan-out', () => {
  const world = useGatewayWorld();

  it('fan-out - the room subjects are subscribed on the first local join and dropped after the last leave', async () => {
    const { gw, nats } = world;
    const room = uniqueName('room');
    const roomSubjects = (subs: string[]) => subs.filter((s) => s.startsWith(`chat.v1.room.${room}.`)).sort();
    expect(roomSubjects(await subscribedSubjects(nats))).toEqual([]);
    const a = await gw.connect('alice');
    const b = await gw.connect('bob');
    await a.request({ type: 'join', room });
    const expected = [`chat.v1.room.${room}.member`, `chat.v1.room.${room}.message`, `chat.v1.room.${room}.typing`];
    await waitFor(async () => roomSubjects(await subscribedSubjects(nats)).length === 3, { what: 'room subscribed' });
    expect(roomSubjects(await subscribedSubjects(nats))).toEqual(expected);
    await b.request({ type: 'join', room });
    await a.request({ type: 'leave', room });
    // One member left: still subscribed, once.
    await b.request({ type: 'ping' });
    expect(roomSubjects(await subscribedSubjects(nats))).toEqual(expected);
    expect(gw.app.rooms.isSubscribed(room)).toBe(true);
    await b.close();
    await waitFor(async () => roomSubjects(await subscribedSubjects(nats)).length === 0, { what: 'room unsubscribed after the last member closed' });
    expect(gw.app.rooms.isSubscribed(room)).toBe(false);
  });

  it('fan-out - notifications: one subscription to every user subject, none per user', async () => {
    const { gw, nats, fake } = world;
    expect(await subscribedSubjects(nats)).toContain('user.v1.*.notification');
    const user = uniqueName('u');
    await gw.connect(user);
    // The pending request follows any SUB the connection would have caused, on the same connection.
    await waitFor(() => fake.pendingRequests.includes(user), { what: 'the connection registered' });
    // User ids enter subjects encoded (`_` itself becomes `_5F`).
    expect(await subscribedSubjects(nats)).not.toContain(`user.v1.${encodeSubjectToken(user)}.notification`);
  });

  it('fan-out - one message reaches every local member once and is counted as deliveries', async () => {
    const { gw, fake } = world;
    const room = uniqueName('room');
    const clients = await Promise.all(['m1', 'm2', 'm3', 'm4'].map((u) => gw.connect(u)));
    for (const c of clients) await c.request({ type: 'join', room });
    const before = await deliveries(gw);
    const msg = fake.publishStored(room, 'to all');
    for (const c of clients) expect(await c.next((f) => f.type === 'message')).toMatchObject({ id: msg.id, seq: 1 });
    expect((await deliveries(gw)) - before).toBe(4);
    await Promise.all(clients.map((c) => c.close()));
  });

  it('fan-out - an event whose payload names another room than its subject is dropped and counted', async () => {
    const { gw, fake } = world;
    const roomA = uniqueName('room');
    const roomB = uniqueName('room');
    const inA = await gw.connect('ann');
    const inB = await gw.connect('ben');
    await inA.request({ type: 'join', room: roomA });
    await inB.request({ type: 'join', room: roomB });
    const before = await subjectMismatches(gw);
    // Valid envelopes, published raw onto room A's subjects while naming room B.
    const forB: ChatMessage = { room: roomB, id: 'forged-for-b', seq: 1, from: 'mallory', text: 'wrong room', ts: Date.now() };
    fake.nc.publish(subjectFor(RoomMessage.subject, { room: roomA }), fake.bus.encodeEvent(RoomMessage, forB));
    fake.nc.publish(subjectFor(RoomTyping.subject, { room: roomA }), fake.bus.encodeEvent(RoomTyping, { room: roomB, user: 'mallory', session: 's-mallory' }));
    fake.nc.publish(subjectFor(RoomMember.subject, { room: roomA }), fake.bus.encodeEvent(RoomMember, { room: roomB, user: 'mallory', event: 'join' }));
    // Markers from the same publisher connection: NATS delivers them after the forged events,
    // and both sockets get them after anything the forged events would have produced.
    const markerA = fake.publishStored(roomA, 'marker a');
    const markerB = fake.publishStored(roomB, 'marker b');
    expect(await inA.next((f) => f.type === 'message')).toMatchObject({ room: roomA, id: markerA.id, seq: 1 });
    expect(await inB.next((f) => f.type === 'message')).toMatchObject({ room: roomB, id: markerB.id, seq: 1 });
    for (const c of [inA, inB]) {
      expect(c.received((f) => f.type === 'message')).toHaveLength(1);
      expect(c.received((f) => f.type === 'typing' || f.type === 'member')).toEqual([]);
    }
    expect((await subjectMismatches(gw)) - before).toBe(3);
    await Promise.all([inA.close(), inB.close()]);
  });
});

async function subjectMismatches(gw: RunningGateway): Promise<number> {
  const text = await (await fetch(`${gw.http}/metrics`)).text();
  const m = /^relay_gateway_dropped_frames_total\{reason="subject-mismatch"[^}]*\} (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

async function deliveries(gw: RunningGateway): Promise<number> {
  const text = await (await fetch(`${gw.http}/metrics`)).text();
  const m = /^relay_gateway_deliveries_total(?:\{[^}]*\})? (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}
