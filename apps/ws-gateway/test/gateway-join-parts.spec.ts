import { uniqueName, waitFor } from '@relay/testing';
import { useGatewayWorld } from './harness';
import { fetchHistoryRange } from '../src/history-range';

describe('gateway join in parts', () => {
  const world = useGatewayWorld();

  afterEach(() => {
    world.fake.joinPartSize = undefined;
    world.fake.laterJoinPartsUnrecoverable = false;
  });

  it('join - a replay too large for one reply arrives in parts: every message once, in order, then live', async () => {
    const { gw, fake } = world;
    const room = uniqueName('room');
    for (let i = 1; i <= 10; i++) fake.publishStored(room, `old ${i}`);
    fake.joinPartSize = 3;
    const c = await gw.connect('alice');
    expect(await c.request({ type: 'join', room, since: 0 })).toMatchObject({ type: 'joined', seq: 10, recovered: true });
    fake.publishStored(room, 'live 11');
    const msgs = await c.collect((f) => f.type === 'message' && f.room === room, 11);
    expect(msgs.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(fake.joinRequests.filter((r) => r.room === room).map((r) => r.since)).toEqual([0, 3, 6, 9]);
    await c.request({ type: 'ping' });
    expect(c.received((f) => f.type === 'message' && f.room === room)).toHaveLength(11);
  });

  it('join - a later part that is no longer recoverable closes with 1011 instead of leaving a silent gap', async () => {
    const { gw, fake } = world;
    const room = uniqueName('room');
    for (let i = 1; i <= 10; i++) fake.publishStored(room, `old ${i}`);
    fake.joinPartSize = 4;
    fake.laterJoinPartsUnrecoverable = true;
    const c = await gw.connect('bob');
    expect(await c.request({ type: 'join', room, since: 0 })).toMatchObject({ type: 'joined', recovered: true });
    expect(await c.closed).toMatchObject({ code: 1011 });
    expect(c.received((f) => f.type === 'message').map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    await waitFor(() => gw.app.registry.members(room) === undefined, { what: 'room registration dropped' });
  });

  it('join - regression: a join queued behind another and run after the socket closed stayed registered forever', async () => {
    const { gw, fake } = world;
    const room = uniqueName('room');
    const release = fake.holdJoins();
    const c = await gw.connect('carol');
    const conn = [...gw.app.registry.connections()].find((x) => x.session === c.welcome.session);
    if (!conn) throw new Error('connection not found in the registry');
    c.send({ type: 'join', room, ref: 'j1' });
    c.send({ type: 'join', room, ref: 'j2' });
    await waitFor(() => fake.joinRequests.some((r) => r.room === room), { what: 'first join at the service' });
    c.ws.terminate();
    await waitFor(() => conn.isClosing && !gw.app.registry.connectionsOf('carol')?.has(conn), { what: 'connection cleaned up' });
    release();
    // Resolves once every queued join or leave of the room on this connection has finished.
    await conn.inRoomOrder(room, async () => undefined);
    expect(gw.app.registry.members(room)).toBeUndefined();
    expect(conn.rooms.size).toBe(0);
    expect(fake.joinRequests.filter((r) => r.room === room)).toHaveLength(1);
  });
});

describe('history range', () => {
  it('history range - pages on with before when a page holds fewer messages than asked', async () => {
    const log = Array.from({ length: 250 }, (_, i) => ({ room: 'r', id: `m${i + 1}`, seq: i + 1, from: 'a', text: 't', ts: 1 }));
    const asked: Array<{ before?: number; limit: number }> = [];
    const services = {
      // A store whose pages hold at most 30 messages, as large messages would make them.
      chatHistory: async (req: { room: string; before?: number; limit: number }) => {
        asked.push({ before: req.before, limit: req.limit });
        const older = log.filter((m) => m.seq < (req.before ?? 251));
        return { messages: older.slice(Math.max(0, older.length - Math.min(req.limit, 30))) };
      },
    };
    const got = await fetchHistoryRange(services, 'r', 101, 200);
    expect(got.map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => 101 + i));
    expect(asked[0]).toEqual({ before: 201, limit: 100 });
    expect(asked.length).toBe(4);
  });
});
