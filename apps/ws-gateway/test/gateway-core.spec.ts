import { RoomMessage } from '@relay/contracts';
import { uniqueName, waitFor } from '@relay/testing';
import { startGateway, useGatewayWorld } from './harness';

describe('gateway core', () => {
  const world = useGatewayWorld();

  it('core - welcome is the first frame with user, session and gateway', async () => {
    const { gw } = world;
    const c = await gw.connect('alice');
    expect(c.frames[0]).toEqual({ type: 'welcome', user: 'alice', session: expect.any(String), gateway: gw.config.instanceId });
  });

  it('core - join, send, message to every member including the sender, history, ping', async () => {
    const { gw } = world;
    const room = uniqueName('room');
    const a = await gw.connect('alice');
    const b = await gw.connect('bob');
    expect(await a.request({ type: 'join', room })).toMatchObject({ type: 'joined', room, seq: 0 });
    expect(await b.request({ type: 'join', room })).toMatchObject({ type: 'joined', room, seq: 0 });
    const sent = await a.request({ type: 'send', room, text: 'hi @bob' });
    expect(sent).toMatchObject({ type: 'sent', room, seq: 1, id: expect.any(String), ts: expect.any(Number) });
    const expected = { type: 'message', room, id: sent.id, seq: 1, from: 'alice', text: 'hi @bob', ts: sent.ts };
    expect(await a.next((f) => f.type === 'message')).toEqual(expected);
    expect(await b.next((f) => f.type === 'message')).toEqual(expected);
    const history = await b.request({ type: 'history', room, limit: 10 });
    expect(history).toMatchObject({ type: 'history', room, messages: [{ seq: 1, text: 'hi @bob', from: 'alice' }] });
    expect(await a.request({ type: 'ping', ref: 'p1' })).toEqual({ type: 'pong', ref: 'p1' });
  });

  it('core - join with since replays the missed messages then live ones, no gap and no duplicate', async () => {
    const { gw, fake } = world;
    const room = uniqueName('room');
    for (let i = 0; i < 5; i++) fake.publishStored(room, `old ${i + 1}`);
    const c = await gw.connect('carol');
    const joined = await c.request({ type: 'join', room, since: 2 });
    expect(joined).toMatchObject({ type: 'joined', seq: 5, recovered: true });
    fake.publishStored(room, 'live 6');
    const msgs = await c.collect((f) => f.type === 'message', 4);
    expect(msgs.map((m) => m.seq)).toEqual([3, 4, 5, 6]);
  });

  it('core - join with since beyond the cap or above latest is recovered:false without replay', async () => {
    const { gw, fake, nats } = world;
    const room = uniqueName('room');
    for (let i = 0; i < 3; i++) fake.publishStored(room, `m${i}`);
    const c = await gw.connect('dave');
    expect(await c.request({ type: 'join', room, since: 10 })).toMatchObject({ type: 'joined', seq: 3, recovered: false });
    await c.request({ type: 'leave', room });
    const tiny = await startGateway(nats.url, { RECOVERY_CAP: '1' });
    try {
      const d = await tiny.connect('dave');
      expect(await d.request({ type: 'join', room, since: 0 })).toMatchObject({ type: 'joined', seq: 3, recovered: false });
      expect(await d.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
      expect(d.received((f) => f.type === 'message')).toHaveLength(0);
    } finally {
      await tiny.close();
    }
  });

  it('core - live messages during a slow join are buffered and delivered after the replay, in order, once', async () => {
    const { gw, fake } = world;
    const room = uniqueName('room');
    fake.publishStored(room, 'm1');
    const c = await gw.connect('erin');
    const release = fake.holdJoins();
    const ref = 'slowjoin';
    try {
      c.send({ type: 'join', ref, room, since: 0 });
      // The gateway subscribes the room before it asks ChatJoin, on the same connection: once
      // the fake has the request, the room's live messages reach the gateway.
      await waitFor(() => fake.joinRequests.some((r) => r.room === room), { what: 'the ChatJoin request at the fake' });
      // Published while the join is in flight: seq 2 and 3 arrive live before `joined`.
      fake.publishStored(room, 'm2');
      fake.publishStored(room, 'm3');
      await fake.nc.flush();
    } finally {
      release();
    }
    await c.next((f) => f.ref === ref);
    fake.publishStored(room, 'm4');
    const seqs = (await c.collect((f) => f.type === 'message', 4)).map((m) => m.seq);
    expect(seqs).toEqual([1, 2, 3, 4]);
    await c.request({ type: 'ping' });
    expect(c.received((f) => f.type === 'message')).toHaveLength(4);
  });

  it('core - out-of-order publishes are delivered in seq order; a lost publish is filled from history', async () => {
    const { gw, fake } = world;
    const room = uniqueName('room');
    const c = await gw.connect('frank');
    await c.request({ type: 'join', room });
    const m1 = fake.publishStored(room, 'one', 'x', false);
    fake.publishStored(room, 'two');
    // seq 1 never published (lost): the gateway waits, then fetches it from history.
    const m3 = fake.publishStored(room, 'three', 'x', false);
    const msgs = await c.collect((f) => f.type === 'message', 2, 5000);
    expect(msgs.map((m) => m.seq)).toEqual([1, 2]);
    expect(msgs[0].id).toBe(m1.id);
    // seq 3 arrives late after seq 4: one publisher connection, so NATS keeps this order.
    fake.publishStored(room, 'four');
    fake.bus.publish(RoomMessage, { room }, m3);
    const later = await c.collect((f) => f.type === 'message', 2, 5000);
    expect(later.map((m) => m.seq)).toEqual([3, 4]);
  });

  it('core - leave stops delivery and answers left', async () => {
    const { gw, fake } = world;
    const room = uniqueName('room');
    const c = await gw.connect('gina');
    const stays = await gw.connect('gina-friend');
    await c.request({ type: 'join', room });
    await stays.request({ type: 'join', room });
    expect(await c.request({ type: 'leave', room, ref: 'l1' })).toEqual({ type: 'left', ref: 'l1', room });
    const msg = fake.publishStored(room, 'after leave');
    // The fan-out writes to every member in one pass: once the remaining member has the message,
    // a frame for the one who left would already be queued on its socket ahead of this pong.
    expect(await stays.next((f) => f.type === 'message')).toMatchObject({ id: msg.id });
    await c.request({ type: 'ping' });
    expect(c.received((f) => f.type === 'message')).toHaveLength(0);
    await stays.request({ type: 'leave', room });
    expect(gw.app.rooms.isSubscribed(room)).toBe(false);
  });

  it('core - send without clientMsgId gets one from the gateway; the same clientMsgId stores once', async () => {
    const { gw, fake } = world;
    const room = uniqueName('room');
    const c = await gw.connect('hank');
    await c.request({ type: 'join', room });
    await c.request({ type: 'send', room, text: 'no id' });
    expect(fake.sendRequests.find((r) => r.room === room)?.clientMsgId).toEqual(expect.any(String));
    const one = await c.request({ type: 'send', room, text: 'x', clientMsgId: 'cm-1' });
    const two = await c.request({ type: 'send', room, text: 'x', clientMsgId: 'cm-1' });
    expect(two).toMatchObject({ type: 'sent', id: one.id, seq: one.seq });
    expect(fake.messages.get(room)).toHaveLength(2);
  });

  it('core - presence answers the users from presence-service; typing reaches others but not the typist', async () => {
    const { gw, fake } = world;
    const room = uniqueName('room');
    fake.members = ['ivy', 'jack'];
    const ivy = await gw.connect('ivy');
    const ivy2 = await gw.connect('ivy');
    const jack = await gw.connect('jack');
    for (const c of [ivy, ivy2, jack]) await c.request({ type: 'join', room });
    expect(await ivy.request({ type: 'presence', room })).toMatchObject({ type: 'presence', room, users: ['ivy', 'jack'] });
    ivy.send({ type: 'typing', room });
    expect(await jack.next((f) => f.type === 'typing')).toEqual({ type: 'typing', room, user: 'ivy' });
    expect(await ivy2.next((f) => f.type === 'typing')).toEqual({ type: 'typing', room, user: 'ivy' });
    await ivy.request({ type: 'ping' });
    expect(ivy.received((f) => f.type === 'typing')).toHaveLength(0);
  });
});
