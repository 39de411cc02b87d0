/**
 * The api in-process against the real system (nats-server, redis-server and the built services
 * and gateway as processes): what a backend posts over HTTP reaches WebSocket users through
 * @relay/client, writes are idempotent by key, and reads see what users do.
 */
import { RelayClient, type MessageServerFrame } from '@relay/client';
import { signToken, TEST_JWT_SECRET, TestStack, uniqueName, waitFor } from '@relay/testing';
import WebSocket from 'ws';
import { buildApp, type ApiApp } from '../src/app';
import { readConfig } from '../src/config';

const KEY = 'k'.repeat(40);

describe('api on the real stack', () => {
  let stack: TestStack;
  let api: ApiApp;
  let base: string;
  const clients: RelayClient[] = [];

  function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${KEY}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  }

  async function user(name: string, gateway = 0): Promise<RelayClient> {
    const c = new RelayClient({ url: stack.wsUrl(gateway), token: () => signToken(name, TEST_JWT_SECRET), WebSocket });
    clients.push(c);
    await c.connect();
    return c;
  }

  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 2 });
    // The api on the bus as its own role, with the permissions the catalog gives it.
    api = await buildApp(readConfig({ ...stack.nats.envFor('api'), HEALTH_PORT: '0', API_KEYS: `tests:${KEY}`, LOG_LEVEL: 'silent' }));
    const port = await api.listen();
    base = `http://127.0.0.1:${port}`;
  }, 90_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await api?.close();
    await stack?.close();
  });

  it('api - a message posted over HTTP is stored, sequenced and fanned out; the same Idempotency-Key stores it once', async () => {
    const room = uniqueName('api');
    const alice = await user(uniqueName('alice'));
    const got: MessageServerFrame[] = [];
    alice.on('message', (m) => got.push(m));
    await alice.join(room);
    await alice.send(room, 'from a user');
    const key = uniqueName('idem');
    const first = await call('POST', `/v1/rooms/${room}/messages`, { text: 'deploy finished', from: 'deploybot' }, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    const stored = (await first.json()) as { id: string; seq: number; duplicate: boolean };
    expect(stored).toMatchObject({ seq: 2, duplicate: false });
    const again = await call('POST', `/v1/rooms/${room}/messages`, { text: 'deploy finished', from: 'deploybot' }, { 'idempotency-key': key });
    expect(await again.json()).toMatchObject({ id: stored.id, seq: 2, duplicate: true });
    await waitFor(() => got.some((m) => m.id === stored.id), { timeoutMs: 10_000 });
    expect(got.filter((m) => m.from === 'deploybot')).toEqual([expect.objectContaining({ text: 'deploy finished', seq: 2 })]);
    const history = (await (await call('GET', `/v1/rooms/${room}/messages?limit=10`)).json()) as { messages: { text: string }[] };
    expect(history.messages.map((m) => m.text)).toEqual(['from a user', 'deploy finished']);
  });

  it('api - a notification reaches the user live; presence and online list the connected user', async () => {
    const room = uniqueName('api');
    const bobName = uniqueName('bob');
    const bob = await user(bobName);
    const notes: string[] = [];
    bob.on('notification', (n) => notes.push(`${n.kind}:${n.text}`));
    await bob.join(room);
    const sent = await call('POST', `/v1/users/${bobName}/notifications`, { kind: 'invoice', text: 'your invoice is ready', data: { amount: 12 } }, { 'idempotency-key': uniqueName('n') });
    expect(sent.status).toBe(202);
    await waitFor(() => notes.length === 1, { timeoutMs: 10_000 });
    expect(notes).toEqual(['invoice:your invoice is ready']);
    await waitFor(async () => ((await (await call('GET', `/v1/rooms/${room}/presence`)).json()) as { users: string[] }).users.includes(bobName), { timeoutMs: 10_000 });
    const online = (await (await call('GET', `/v1/users/online?users=${bobName},${uniqueName('nobody')}`)).json()) as { online: string[] };
    expect(online.online).toEqual([bobName]);
  });

  it('api - disconnecting a user closes their connections on both gateways with 4002; the clients stay closed; other users stay', async () => {
    const bobName = uniqueName('bob');
    const carolName = uniqueName('carol');
    const [bobA, bobB, carol] = await Promise.all([user(bobName, 0), user(bobName, 1), user(carolName, 1)]);
    expect(new Set([bobA.status.gateway, bobB.status.gateway]).size).toBe(2);
    const res = await call('DELETE', `/v1/users/${bobName}/sessions?reason=account%20suspended`);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ user: bobName });
    await waitFor(() => bobA.status.state === 'closed' && bobB.status.state === 'closed', { timeoutMs: 10_000 });
    for (const c of [bobA, bobB]) {
      expect(c.status).toMatchObject({ state: 'closed', closeCode: 4002 });
      expect(c.status.error?.message).toContain('account suspended');
    }
    // Presence follows: bob's sessions are gone; carol, on the same gateway, is untouched.
    await waitFor(async () => ((await (await call('GET', `/v1/users/online?users=${bobName},${carolName}`)).json()) as { online: string[] }).online.join() === carolName, { timeoutMs: 10_000 });
    expect(carol.status.state).toBe('open');
    await expect(carol.ping()).resolves.toBeDefined();
    // Bad input: a user id that could widen a subject is refused before anything is published.
    expect((await call('DELETE', '/v1/users/bad%20user/sessions')).status).toBe(400);
  });

  it('api - GET /v1/users/online without users lists every online user in pages that follow a cursor', async () => {
    const names = [uniqueName('on1'), uniqueName('on2')];
    await Promise.all(names.map((n, i) => user(n, i)));
    const listAll = async (): Promise<{ users: string[]; count: number }> => {
      const users = new Set<string>();
      let cursor: string | undefined;
      let count = 0;
      for (let page = 0; page < 100; page++) {
        const res = await call('GET', `/v1/users/online${cursor ? `?cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        const body = (await res.json()) as { online: string[]; count: number; cursor?: string };
        body.online.forEach((u) => users.add(u));
        count = body.count;
        cursor = body.cursor;
        if (!cursor) break;
      }
      return { users: [...users], count };
    };
    await waitFor(async () => {
      const listed = (await listAll()).users;
      return names.every((n) => listed.includes(n));
    }, { timeoutMs: 10_000 });
    const all = await listAll();
    expect(all.count).toBeGreaterThanOrEqual(2);
    expect(all.users.length).toBe(all.count);
    expect((await call('GET', '/v1/users/online?cursor=not-a-cursor')).status).toBe(400);
    expect((await call('GET', `/v1/users/online?users=${names[0]}&cursor=5`)).status).toBe(400);
  });

  it('api - refused requests: no key 401, no Idempotency-Key or a bad room 400, and the OpenAPI document is served', async () => {
    const noKey = await fetch(`${base}/v1/rooms/lobby/presence`);
    expect(noKey.status).toBe(401);
    const wrongKey = await call('GET', '/v1/rooms/lobby/presence', undefined, { authorization: 'Bearer nope' });
    expect(wrongKey.status).toBe(401);
    expect((await call('POST', '/v1/rooms/lobby/messages', { text: 'x' })).status).toBe(400);
    expect((await call('POST', '/v1/rooms/bad.room/messages', { text: 'x' }, { 'idempotency-key': 'k1' })).status).toBe(400);
    expect((await call('POST', '/v1/rooms/lobby/messages', { text: '' }, { 'idempotency-key': 'k2' })).status).toBe(400);
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/v1/rooms/{room}/messages');
  });
});
