// Joins a gateway answers itself: the room is followed here and its stream is settled.
import { uniqueName, waitFor } from '@relay/testing';
import { startGateway, useGatewayWorld, type RunningGateway } from './harness';

async function joinsAnswered(gw: RunningGateway, by: 'gateway' | 'chat-service'): Promise<number> {
  const text = await (await fetch(`${gw.http}/metrics`)).text();
  return Number(new RegExp(`relay_gateway_joins_total\\{[^}]*answered="${by}"[^}]*\\} (\\d+)`).exec(text)?.[1] ?? 0);
}

describe('gateway joins answered locally', () => {
  const world = useGatewayWorld();

  it('join - a room this gateway follows is joined without ChatJoin: joined.seq is where its members are, the next message comes once', async () => {
    const { gw, fake } = world;
    const room = uniqueName('room');
    const a = await gw.connect(uniqueName('a'));
    expect(await a.request({ type: 'join', room })).toMatchObject({ type: 'joined', seq: 0 });
    fake.publishStored(room, 'one');
    fake.publishStored(room, 'two');
    await a.collect((f) => f.type === 'message' && f.room === room, 2);
    const byGateway = await joinsAnswered(gw, 'gateway');
    const b = await gw.connect(uniqueName('b'));
    expect(await b.request({ type: 'join', room })).toMatchObject({ type: 'joined', room, seq: 2 });
    expect(fake.joinRequests.filter((r) => r.room === room)).toHaveLength(1);
    expect((await joinsAnswered(gw, 'gateway')) - byGateway).toBe(1);
    fake.publishStored(room, 'three');
    expect(await b.next((f) => f.type === 'message' && f.room === room)).toMatchObject({ seq: 3, text: 'three' });
    await b.request({ type: 'ping' });
    expect(b.received((f) => f.type === 'message' && f.room === room).map((m) => m.seq)).toEqual([3]);
  });

  it('join - since at the followed position is recovered here; since behind it replays from chat-service', async () => {
    const { gw, fake } = world;
    const room = uniqueName('room');
    const a = await gw.connect(uniqueName('a'));
    await a.request({ type: 'join', room });
    for (const t of ['one', 'two', 'three']) fake.publishStored(room, t);
    await a.collect((f) => f.type === 'message' && f.room === room, 3);
    const upToDate = await gw.connect(uniqueName('c'));
    expect(await upToDate.request({ type: 'join', room, since: 3 })).toMatchObject({ type: 'joined', seq: 3, recovered: true });
    expect(fake.joinRequests.filter((r) => r.room === room)).toHaveLength(1);
    const behind = await gw.connect(uniqueName('d'));
    expect(await behind.request({ type: 'join', room, since: 1 })).toMatchObject({ type: 'joined', seq: 3, recovered: true });
    expect(fake.joinRequests.filter((r) => r.room === room).map((r) => r.since)).toEqual([undefined, 1]);
    const replayed = await behind.collect((f) => f.type === 'message' && f.room === room, 2);
    expect(replayed.map((m) => m.seq)).toEqual([2, 3]);
    // A client ahead of this gateway (it saw a later seq elsewhere) is chat-service's to judge.
    const ahead = await gw.connect(uniqueName('e'));
    expect(await ahead.request({ type: 'join', room, since: 4 })).toMatchObject({ type: 'joined', seq: 3, recovered: false });
    expect(fake.joinRequests.filter((r) => r.room === room).map((r) => r.since)).toEqual([undefined, 1, 4]);
  });

  it('join - a re-join of a room the connection is in asks chat-service (its replay may be ahead of the stream)', async () => {
    const { gw, fake } = world;
    const room = uniqueName('room');
    const a = await gw.connect(uniqueName('a'));
    await a.request({ type: 'join', room });
    fake.publishStored(room, 'one');
    await a.next((f) => f.type === 'message' && f.room === room);
    expect(await a.request({ type: 'join', room })).toMatchObject({ type: 'joined', seq: 1 });
    expect(fake.joinRequests.filter((r) => r.room === room)).toHaveLength(2);
  });

  it('join - while the stream holds a hole, joins go to chat-service', async () => {
    const { nats } = world;
    const { fake } = world;
    // The hole is held for a minute: long enough to join while it is open.
    const gw = await startGateway(nats.url, { GAP_WAIT_MS: '60000' });
    try {
      const room = uniqueName('room');
      const a = await gw.connect(uniqueName('a'));
      await a.request({ type: 'join', room });
      fake.publishStored(room, 'lost publish', 'system', false);
      fake.publishStored(room, 'after the hole');
      await waitFor(() => gw.app.rooms.settledPosition(room) === undefined, { what: 'seq 2 held behind the hole' });
      const b = await gw.connect(uniqueName('b'));
      expect(await b.request({ type: 'join', room })).toMatchObject({ type: 'joined', seq: 2 });
      expect(fake.joinRequests.filter((r) => r.room === room)).toHaveLength(2);
    } finally {
      await gw.close();
    }
  });
});
