import { startNats, uniqueName, waitFor, type TestNats } from '@relay/testing';
import { FakeServices } from '../test/fake-services';
import { startGateway, type RunningGateway } from '../test/harness';

/** Subjects subscribed on the NATS server, from its monitoring endpoint. */
async function subscribedSubjects(nats: TestNats): Promise<string[]> {
  const res = await fetch(`${nats.monitorUrl}/subsz?subs=1&limit=10000`);
  const body = (await res.json()) as { subscriptions_list?: Array<{ subject: string }> };
  return (body.subscriptions_list ?? []).map((s) => s.subject);
}

describe('gateway fan-out', () => {
  let nats: TestNats;
  let fake: FakeServices;
  let gw: RunningGateway;

  beforeAll(async () => {
    nats = await startNats();
    fake = await FakeServices.start(nats.url);
    gw = await startGateway(nats.url);
  });

  afterAll(async () => {
    await gw?.close();
    await fake?.close();
    await nats?.close();
  });

  it('fan-out - the room subjects are subscribed on the first local join and dropped after the last leave', async () => {
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

  it('fan-out - a user subject is subscribed while the user has a connection', async () => {
    const user = uniqueName('u');
    const c = await gw.connect(user);
    await waitFor(async () => (await subscribedSubjects(nats)).includes(`user.v1.${user}.notification`), { what: 'user subscribed' });
    await c.close();
    await waitFor(async () => !(await subscribedSubjects(nats)).includes(`user.v1.${user}.notification`), { what: 'user unsubscribed' });
  });

  it('fan-out - one message reaches every local member once and is counted as deliveries', async () => {
    const room = uniqueName('room');
    const clients = await Promise.all(['m1', 'm2', 'm3', 'm4'].map((u) => gw.connect(u)));
    for (const c of clients) await c.request({ type: 'join', room });
    const before = await deliveries(gw);
    const msg = fake.publishStored(room, 'to all');
    for (const c of clients) expect(await c.next((f) => f.type === 'message')).toMatchObject({ id: msg.id, seq: 1 });
    expect((await deliveries(gw)) - before).toBe(4);
    await Promise.all(clients.map((c) => c.close()));
  });
});

async function deliveries(gw: RunningGateway): Promise<number> {
  const text = await (await fetch(`${gw.http}/metrics`)).text();
  const m = /^relay_gateway_deliveries_total(?:\{[^}]*\})? (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}
