import { startNatsCluster, TestStack, uniqueName, waitFor, type AppProcess, type TestClient, type TestNatsCluster } from '@relay/testing';
import { chatRound, connectTo, expectExactlyOnceInOrder, startOnNode, type Acked } from './support/chat-under-faults';

/**
 * Three nats-server processes as one cluster (routes), with the gateways and services attached
 * to different nodes through URL lists; then the node that carries a gateway and chat-service is
 * killed mid-chat and brought back.
 */
describe('a 3-node NATS cluster', () => {
  let cluster: TestNatsCluster;
  let stack: TestStack;
  const clients: TestClient[] = [];
  let gwA: AppProcess; // node 1, with chat-service: the node that will be killed
  let gwB: AppProcess; // node 0
  let gwC: AppProcess; // node 2, no member of the test room

  const nodeOf = (app: AppProcess) => cluster.nodeOf((name) => name.endsWith(`-${app.port}`));
  const connect = async (gw: AppProcess, user: string) => {
    const c = await connectTo(gw, user);
    clients.push(c);
    return c;
  };
  /** Subjects a gateway's NATS connection subscribes to, from its node's monitoring. */
  const subjectsOf = async (gw: AppProcess): Promise<string[]> => {
    const node = cluster.nodes[await nodeOf(gw)];
    const body = (await (await fetch(`${node.monitorUrl}/connz?subs=1&limit=1024`)).json()) as { connections: { name?: string; subscriptions_list?: string[] }[] };
    return body.connections.find((c) => c.name?.endsWith(`-${gw.port}`))?.subscriptions_list ?? [];
  };

  beforeAll(async () => {
    cluster = await startNatsCluster({ nodes: 3 });
    // The stack's own single NATS stays unused: every app gets the cluster's URL list instead.
    stack = await TestStack.start({ gateways: 0, chat: 0, presence: 0, notification: 0 });
    const on = (node: number) => ({ NATS_URL: cluster.urlList(node) });
    await startOnNode(stack, 'chat-service', on(1), 1, nodeOf);
    await startOnNode(stack, 'presence-service', on(2), 2, nodeOf);
    await startOnNode(stack, 'notification-service', on(0), 0, nodeOf);
    gwA = await startOnNode(stack, 'ws-gateway', on(1), 1, nodeOf);
    gwB = await startOnNode(stack, 'ws-gateway', on(0), 0, nodeOf);
    gwC = await startOnNode(stack, 'ws-gateway', on(2), 2, nodeOf);
  }, 240000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await stack?.close();
    await cluster?.close();
  });

  it('nats cluster - members on every gateway get each message once, in order; room interest crosses routes only where members are', async () => {
    const room = uniqueName('nc');
    const a1 = await connect(gwA, 'alice');
    const b1 = await connect(gwB, 'bob');
    const c1 = await connect(gwC, 'carol');
    for (const m of [a1, b1]) expect(await m.request({ type: 'join', room })).toMatchObject({ type: 'joined', seq: 0 });
    const acked = await chatRound([a1, b1], room, 'warm', 10);
    for (const m of [a1, b1]) await expectExactlyOnceInOrder(m, room, acked);
    // Interest-based: the two gateways with members subscribe to the room; the third does not,
    // and gets none of its traffic, although its node routes to the others.
    const roomSubject = (await subjectsOf(gwA)).find((s) => s.includes(room));
    expect(roomSubject).toBeDefined();
    expect(await subjectsOf(gwB)).toContain(roomSubject);
    expect(await subjectsOf(gwC)).not.toContain(roomSubject);
    expect(c1.received((f) => f.room === room)).toEqual([]);
  });

  it('nats cluster - a node killed mid-chat: apps fail over through the URL list, no acknowledged message is lost, its return is absorbed', async () => {
    const room = uniqueName('nc-kill');
    const a1 = await connect(gwA, 'dave');
    const a2 = await connect(gwA, 'erin');
    const b1 = await connect(gwB, 'frank');
    const b2 = await connect(gwB, 'grace');
    const members = [a1, a2, b1, b2];
    for (const m of members) await m.request({ type: 'join', room });
    const acked: Acked[] = [];
    acked.push(...(await chatRound([a1, b1], room, 'before', 10)));

    // Kill node 1 (gateway A and chat-service are on it) while both senders keep going.
    const during = chatRound([a1, b1], room, 'during', 15);
    await cluster.nodes[1].server.kill();
    acked.push(...(await during));
    expect([0, 2]).toContain(await nodeOf(gwA));
    expect([0, 2]).toContain(await waitFor(async () => { const n = await nodeOf(stack.chat[stack.chat.length - 1]); return n >= 0 ? n : undefined; }, { what: 'chat-service on another node' }));
    acked.push(...(await chatRound([a1, b1], room, 'after', 10)));

    // The node comes back on the same ports and rejoins the cluster; chat goes on unchanged.
    await cluster.nodes[1].server.start();
    await cluster.waitForRoutes();
    acked.push(...(await chatRound([a1, b1], room, 'back', 10)));

    const seqs = acked.map((a) => a.seq).sort((x, y) => x - y);
    expect(new Set(seqs).size).toBe(acked.length);
    for (const m of members) await expectExactlyOnceInOrder(m, room, acked, 30000);
    // Nothing acknowledged is missing from the stored history either.
    const page = await b2.request({ type: 'history', room, limit: 100 });
    const stored = new Map((page.messages as { seq: number; text: string }[]).map((m) => [m.seq, m.text]));
    for (const a of acked) expect(stored.get(a.seq)).toBe(a.text);
  }, 180000);
});
