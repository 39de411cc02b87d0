/**
 * @relay/client against the real system: nats-server, redis-server and the built apps as
 * processes (libs/testing TestStack), the client in Node with the `ws` package as its WebSocket.
 */
import { signToken, TEST_JWT_SECRET, TestStack, uniqueName, waitFor } from '@relay/testing';
import WebSocket from 'ws';
import { RelayClient, type ConnectionStatus, type JoinResult, type MessageServerFrame, type RelayClientOptions } from '../src/index';

describe('@relay/client on the real stack', () => {
  let stack: TestStack;
  const clients: RelayClient[] = [];

  function client(user: string, urls: string[], over: Partial<RelayClientOptions> = {}): RelayClient {
    const c = new RelayClient({
      url: urls,
      token: () => signToken(user, TEST_JWT_SECRET),
      WebSocket,
      backoff: { baseMs: 200, maxMs: 1000 },
      ...over,
    });
    clients.push(c);
    return c;
  }

  /** Every message a client receives, in arrival order. */
  function record(c: RelayClient): MessageServerFrame[] {
    const got: MessageServerFrame[] = [];
    c.on('message', (m) => got.push(m));
    return got;
  }

  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 2, appEnv: { 'ws-gateway': { RECOVERY_CAP: '5' } } });
  }, 90_000);

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('client e2e - chat with recovery across a gateway restart: missed messages once, in order; the offline send is stored once', async () => {
    const room = uniqueName('restart');
    const alice = client(uniqueName('alice'), [stack.wsUrl(0)]);
    const bob = client(uniqueName('bob'), [stack.wsUrl(1)]);
    const aliceGot = record(alice);
    const bobGot = record(bob);
    await Promise.all([alice.connect(), bob.connect()]);
    await Promise.all([alice.join(room), bob.join(room)]);
    await alice.send(room, 'before');
    await waitFor(() => bobGot.some((m) => m.text === 'before'), { timeoutMs: 10_000 });

    const states: ConnectionStatus[] = [];
    alice.on('state', (s) => states.push(s));
    const rejoined: JoinResult[] = [];
    alice.on('joined', (r) => rejoined.push(r));
    expect(await stack.gateways[0].stop()).toBe(0); // graceful: sockets closed with 1012
    await waitFor(() => states.some((s) => s.state === 'reconnecting'), { timeoutMs: 10_000 });
    expect(states.find((s) => s.closeCode !== undefined)?.closeCode).toBe(1012);

    for (const text of ['missed 1', 'missed 2', 'missed 3']) await bob.send(room, text);
    const queued = alice.send(room, 'sent while offline');
    await stack.gateways[0].start();

    const sent = await queued;
    await waitFor(() => aliceGot.filter((m) => m.text.startsWith('missed')).length === 3, { timeoutMs: 20_000 });
    await waitFor(() => bobGot.some((m) => m.id === sent.id), { timeoutMs: 10_000 });
    expect(rejoined).toEqual([expect.objectContaining({ room, recovered: true, rejoin: true })]);
    const seqs = aliceGot.map((m) => m.seq);
    expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
    expect(aliceGot.map((m) => m.text)).toEqual(['before', 'missed 1', 'missed 2', 'missed 3', 'sent while offline']);
    // The history holds the offline message exactly once.
    const history = await bob.history(room, { limit: 100 });
    expect(history.filter((m) => m.text === 'sent while offline')).toHaveLength(1);
  }, 90_000);

  it('client e2e - SIGKILL of a gateway: the client moves to the next URL and gets what it missed', async () => {
    const room = uniqueName('failover');
    const carol = client(uniqueName('carol'), [stack.wsUrl(1), stack.wsUrl(0)]);
    const dave = client(uniqueName('dave'), [stack.wsUrl(0)]);
    const carolGot = record(carol);
    await Promise.all([carol.connect(), dave.connect()]);
    const gatewayBefore = carol.welcome?.gateway;
    await Promise.all([carol.join(room), dave.join(room)]);
    await stack.gateways[1].kill();
    for (let i = 1; i <= 3; i++) await dave.send(room, `while down ${i}`);
    await waitFor(() => carolGot.length === 3, { timeoutMs: 20_000 });
    expect(carol.welcome?.gateway).not.toBe(gatewayBefore);
    expect(carolGot.map((m) => m.text)).toEqual(['while down 1', 'while down 2', 'while down 3']);
    await stack.gateways[1].start();
  }, 60_000);

  it('client e2e - more missed than the recovery cap: recovered:false, then history fills the gap', async () => {
    const room = uniqueName('cap');
    const erin = client(uniqueName('erin'), [stack.wsUrl(0)]);
    const frank = client(uniqueName('frank'), [stack.wsUrl(1)]);
    await Promise.all([erin.connect(), frank.connect()]);
    await Promise.all([erin.join(room), frank.join(room)]);
    const results: JoinResult[] = [];
    erin.on('joined', (r) => results.push(r));
    await stack.gateways[0].stop();
    for (let i = 1; i <= 8; i++) await frank.send(room, `m${i}`);
    await stack.gateways[0].start();
    await waitFor(() => results.length === 1, { timeoutMs: 20_000 });
    expect(results[0]).toMatchObject({ room, recovered: false, seq: 8, rejoin: true });
    const page = await erin.history(room, { before: results[0].seq + 1 });
    expect(page.map((m) => m.text)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8']);
  }, 60_000);

  it('client e2e - typed errors: a send to a room not joined is NOT_JOINED, a bad limit BAD_REQUEST; the connection stays', async () => {
    const gina = client(uniqueName('gina'), [stack.wsUrl(0)]);
    await gina.connect();
    await expect(gina.send(uniqueName('nope'), 'hi')).rejects.toMatchObject({ code: 'NOT_JOINED' });
    await expect(gina.history(uniqueName('r'), { limit: 1000 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await gina.ping()).toBeGreaterThanOrEqual(0);
    expect(gina.status.state).toBe('open');
  });

  it('client e2e - a mention reaches the other user once, through the notification event', async () => {
    const room = uniqueName('mention');
    const hank = uniqueName('hank');
    const ivan = client(uniqueName('ivan'), [stack.wsUrl(0)]);
    const hankClient = client(hank, [stack.wsUrl(1)]);
    const notes: string[] = [];
    hankClient.on('notification', (n) => notes.push(n.text));
    await Promise.all([ivan.connect(), hankClient.connect()]);
    await ivan.join(room);
    await ivan.send(room, `hello @${hank}`);
    await waitFor(() => notes.length === 1, { timeoutMs: 15_000 });
    expect(notes).toEqual([`hello @${hank}`]);
  });
});
