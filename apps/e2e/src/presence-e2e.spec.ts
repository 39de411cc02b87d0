import { signToken, TEST_JWT_SECRET, TestClient, TestStack, uniqueName, waitFor, type Frame } from '@relay/testing';

/**
 * Presence across real processes: two gateways, two presence-service instances, chat for joins.
 * Leases are shortened to keep the test quick; PRESENCE_E2E_DEFAULT_LEASE=1 runs it with the
 * defaults (10 s lease, 3 s heartbeat) to measure the real bound for docs/presence.md.
 */
const DEFAULT_LEASE = process.env.PRESENCE_E2E_DEFAULT_LEASE === '1';
const LEASE_MS = DEFAULT_LEASE ? 10000 : 2000;
const SWEEP_MS = DEFAULT_LEASE ? 1000 : 200;
/** The documented bound, lease + sweep, plus slack for a loaded two-core machine. */
const EXPIRY_BOUND_MS = LEASE_MS + SWEEP_MS + 3000;

type MemberFrame = Frame & { room: string; user: string; event: 'join' | 'leave' };

describe('presence end to end', () => {
  let stack: TestStack;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    stack = await TestStack.start({
      gateways: 2,
      presence: 2,
      appEnv: DEFAULT_LEASE
        ? {}
        : {
            'presence-service': { GATEWAY_LEASE_MS: String(LEASE_MS), SWEEP_INTERVAL_MS: String(SWEEP_MS) },
            'ws-gateway': { HEARTBEAT_INTERVAL_MS: String(LEASE_MS / 5) },
          },
    });
  }, 90000);

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await stack?.close();
  });

  const connect = async (user: string, gateway = 0) => {
    const c = await TestClient.connect(stack.wsUrl(gateway), signToken(user, TEST_JWT_SECRET));
    clients.push(c);
    return c;
  };
  const join = async (c: TestClient, room: string) => expect(await c.request({ type: 'join', room })).toMatchObject({ type: 'joined', room });
  const presence = async (c: TestClient, room: string) => {
    const reply = await c.request({ type: 'presence', room });
    expect(reply.type).toBe('presence');
    return (reply.users as string[]).slice().sort();
  };
  const isMember = (room: string, user: string, event: 'join' | 'leave') => (f: Frame) =>
    f.type === 'member' && f.room === room && f.user === user && f.event === event;
  const memberFrames = (c: TestClient, room: string, user: string) =>
    c.received((f) => f.type === 'member' && f.room === room && f.user === user).map((f) => (f as MemberFrame).event);

  it('presence - two users on two gateways see each other; leave and disconnect reach the other as member leave', async () => {
    const [room, alice, bob] = [uniqueName('room'), uniqueName('alice'), uniqueName('bob')];
    const a = await connect(alice, 0);
    await join(a, room);
    const b = await connect(bob, 1);
    await join(b, room);
    await a.next(isMember(room, bob, 'join'));
    expect(await presence(a, room)).toEqual([alice, bob].sort());
    expect(await presence(b, room)).toEqual([alice, bob].sort());

    expect(await b.request({ type: 'leave', room })).toMatchObject({ type: 'left', room });
    await a.next(isMember(room, bob, 'leave'));
    expect(await presence(a, room)).toEqual([alice]);

    await join(b, room);
    await a.next(isMember(room, bob, 'join'));
    await b.close();
    await a.next(isMember(room, bob, 'leave'));
    expect(await presence(a, room)).toEqual([alice]);
    // Two presence-service instances served all of it: still one event per transition.
    expect(memberFrames(a, room, bob)).toEqual(['join', 'leave', 'join', 'leave']);
  });

  it('presence - a user with two connections is listed until the last closes, with no flapping', async () => {
    const [room, alice, carol] = [uniqueName('room'), uniqueName('alice'), uniqueName('carol')];
    const a = await connect(alice, 0);
    await join(a, room);
    const c1 = await connect(carol, 0);
    const c2 = await connect(carol, 1);
    await join(c1, room);
    await a.next(isMember(room, carol, 'join'));
    await join(c2, room);
    await c1.close();
    expect(await presence(a, room)).toEqual([alice, carol].sort());
    await c2.close();
    await a.next(isMember(room, carol, 'leave'));
    expect(await presence(a, room)).toEqual([alice]);
    expect(memberFrames(a, room, carol)).toEqual(['join', 'leave']);
  });

  it('presence - kill -9 of a gateway removes its users, with member leave, within lease + sweep', async () => {
    const [room, alice, dave] = [uniqueName('room'), uniqueName('alice'), uniqueName('dave')];
    const doomed = await stack.add('ws-gateway');
    const a = await connect(alice, 0);
    await join(a, room);
    const d = await TestClient.connect(`ws://127.0.0.1:${doomed.port}/ws`, signToken(dave, TEST_JWT_SECRET));
    clients.push(d);
    await join(d, room);
    await a.next(isMember(room, dave, 'join'));

    const killedAt = Date.now();
    await doomed.kill();
    await a.next(isMember(room, dave, 'leave'), EXPIRY_BOUND_MS);
    const elapsed = Date.now() - killedAt;
    console.log(`gateway kill -9 -> member leave after ${elapsed} ms (lease ${LEASE_MS} ms, sweep ${SWEEP_MS} ms)`);
    expect(await presence(a, room)).toEqual([alice]);
    expect(memberFrames(a, room, dave)).toEqual(['join', 'leave']);
  }, 30000);

  it('presence - both presence-service instances serve the gateways', async () => {
    const counts = await Promise.all(
      stack.presence.map(async (p) => {
        const text = await (await fetch(`http://127.0.0.1:${p.port}/metrics`)).text();
        const line = text.split('\n').find((l) => l.startsWith('relay_presence_requests_total{') && l.includes('type="session"') && l.includes('outcome="ok"'));
        return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
      }),
    );
    expect(counts.every((n) => n > 0)).toBe(true);
  });

  it('presence - after every presence-service is killed and one is started again, queries are right again', async () => {
    const [room, alice, erin] = [uniqueName('room'), uniqueName('alice'), uniqueName('erin')];
    const a = await connect(alice, 0);
    await join(a, room);
    const e = await connect(erin, 1);
    await join(e, room);
    await a.next(isMember(room, erin, 'join'));

    await Promise.all(stack.presence.map((p) => p.kill()));
    await stack.add('presence-service');
    // The gateways retry and resync on their own; the answer must come back complete.
    await waitFor(async () => {
      const reply = await a.request({ type: 'presence', room });
      return reply.type === 'presence' && (reply.users as string[]).slice().sort().join() === [alice, erin].sort().join();
    }, { timeoutMs: 10000, what: `presence of ${room} to list ${alice} and ${erin}` });

    await e.close();
    await a.next(isMember(room, erin, 'leave'));
    expect(await presence(a, room)).toEqual([alice]);
    expect(memberFrames(a, room, erin)).toEqual(['join', 'leave']);
  }, 30000);
});
