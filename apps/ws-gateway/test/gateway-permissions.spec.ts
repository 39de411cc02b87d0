// Private rooms: grants from the token's `rooms` claim and from the permission webhook; join,
// send, typing, history and presence follow one rule; refusals are FORBIDDEN on an open socket.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signToken, TestClient, uniqueName } from '@relay/testing';
import { SECRET, useGatewayWorld } from './harness';
import { grantFromClaims } from '../src/room-permissions';

describe('gateway permissions - token grants', () => {
  const world = useGatewayWorld({ PRIVATE_ROOMS: 'secret-*,board' });

  const connect = (user: string, rooms?: Record<string, string>) => TestClient.connect(world.gw.url, signToken(user, SECRET, rooms ? { rooms } : {}));

  it('permissions - an outsider is refused join, history and presence of a private room, and the connection stays open', async () => {
    const room = uniqueName('secret-');
    const c = await connect(uniqueName('outsider'));
    for (const frame of [{ type: 'join', room }, { type: 'history', room }, { type: 'presence', room }]) {
      expect(await c.request(frame)).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    }
    expect(await c.request({ type: 'join', room: 'board' })).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    expect(await c.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    // Public rooms stay open to everyone.
    expect(await c.request({ type: 'join', room: uniqueName('lobby') })).toMatchObject({ type: 'joined' });
    await c.close();
  });

  it('permissions - a read grant joins, reads history and presence, but may not send or type', async () => {
    const room = uniqueName('secret-');
    const c = await connect(uniqueName('reader'), { [room]: 'read' });
    expect(await c.request({ type: 'join', room })).toMatchObject({ type: 'joined', room });
    expect(await c.request({ type: 'history', room })).toMatchObject({ type: 'history', room });
    expect(await c.request({ type: 'presence', room })).toMatchObject({ type: 'presence', room });
    expect(await c.request({ type: 'send', room, text: 'hi' })).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    expect(await c.request({ type: 'typing', room })).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    await c.close();
  });

  it('permissions - a write grant by pattern sends; a refresh that drops the grant refuses the next request', async () => {
    const room = uniqueName('secret-');
    const user = uniqueName('writer');
    const c = await connect(user, { 'secret-*': 'write' });
    expect(await c.request({ type: 'join', room })).toMatchObject({ type: 'joined' });
    expect(await c.request({ type: 'send', room, text: 'hi' })).toMatchObject({ type: 'sent', room });
    expect(await c.request({ type: 'auth', token: signToken(user, SECRET) })).toMatchObject({ type: 'authed' });
    expect(await c.request({ type: 'send', room, text: 'again' })).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    await c.close();
  });

  it('permissions - the most specific token rule wins: exact name, then the longest prefix', () => {
    const rooms = { 'team-*': 'write', 'team-board': 'read', 'team-x-*': 'read' } as const;
    expect(grantFromClaims(rooms, 'team-board')).toBe('read');
    expect(grantFromClaims(rooms, 'team-a')).toBe('write');
    expect(grantFromClaims(rooms, 'team-x-1')).toBe('read');
    expect(grantFromClaims(rooms, 'other')).toBe('none');
    expect(grantFromClaims(undefined, 'team-a')).toBe('none');
  });
});

describe('gateway permissions - webhook', () => {
  // The webhook starts first (its URL goes into the gateway's env before the world starts the
  // gateway), so the world stops the gateway before NATS and the webhook last.
  const env: Record<string, string> = { PRIVATE_ROOMS: 'members-*', PERMISSION_CACHE_MS: '60000' };
  let hook: Server;
  const asked: Array<{ user: string; room: string }> = [];
  let down = false;

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const q = JSON.parse(body) as { user: string; room: string };
        asked.push(q);
        if (down) {
          res.statusCode = 503;
          res.end();
          return;
        }
        res.setHeader('content-type', 'application/json');
        // The application's rule: members-<user> rooms belong to that user.
        res.end(JSON.stringify(q.room === `members-${q.user}` ? { read: true, write: true } : { read: false, write: false }));
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    env.PERMISSION_WEBHOOK_URL = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/can`;
  });
  const world = useGatewayWorld(env);

  afterAll(async () => {
    // The gateway's fetch keeps its webhook connection alive: close it too, or the server never finishes.
    hook?.closeAllConnections();
    await new Promise((r) => hook?.close(r));
  });

  it('permissions - the webhook decides rooms the token does not grant, and its answer is cached', async () => {
    const user = uniqueName('hooked');
    const c = await TestClient.connect(world.gw.url, signToken(user, SECRET));
    const own = `members-${user}`;
    expect(await c.request({ type: 'history', room: own })).toMatchObject({ type: 'history' });
    expect(await c.request({ type: 'join', room: own })).toMatchObject({ type: 'joined' });
    expect(await c.request({ type: 'send', room: own, text: 'mine' })).toMatchObject({ type: 'sent' });
    expect(asked.filter((q) => q.user === user && q.room === own)).toHaveLength(1);
    expect(await c.request({ type: 'presence', room: `members-${uniqueName('x')}` })).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    await c.close();
  });

  it('permissions - a webhook that fails is SERVICE_UNAVAILABLE, never an open door', async () => {
    down = true;
    try {
      const user = uniqueName('hooked');
      const c = await TestClient.connect(world.gw.url, signToken(user, SECRET));
      expect(await c.request({ type: 'join', room: `members-${user}` })).toMatchObject({ type: 'error', code: 'SERVICE_UNAVAILABLE' });
      expect(await c.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
      await c.close();
    } finally {
      down = false;
    }
  });
});
