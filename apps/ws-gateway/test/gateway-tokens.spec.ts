// Token hardening at the gateway: JWKS keys by kid (RS256, ES256, rotation), aud/iss, the
// bearer subprotocol, refresh on an open socket and the 4001 close of an expired one.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSigner } from 'fast-jwt';
import WebSocket from 'ws';
import { newId, UserNotification, type Notification } from '@relay/contracts';
import { signToken, startNats, TestClient, uniqueName, waitFor, type TestNats } from '@relay/testing';
import { FakeServices } from './fake-services';
import { SECRET, startGateway, type RunningGateway } from './harness';

interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privatePem: string;
  jwk: Record<string, unknown>;
}

function makeKey(kid: string, alg: 'RS256' | 'ES256'): SigningKey {
  const pair = alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pub = pair.publicKey as KeyObject;
  return { kid, alg, privatePem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), jwk: { ...pub.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}

function sign(key: SigningKey, claims: Record<string, unknown>, opts: { kid?: string; expiresIn?: number } = {}): string {
  return createSigner({ key: key.privatePem, algorithm: key.alg, kid: opts.kid ?? key.kid, expiresIn: opts.expiresIn ?? 600000 })(claims);
}

function jwks(...keys: SigningKey[]): string {
  return JSON.stringify({ keys: keys.map((k) => k.jwk) });
}

/** The HTTP status of a refused upgrade (101 when it opened), with the headers of a refusal. */
async function upgrade(url: string, opts: { protocols?: string[]; headers?: Record<string, string> } = {}): Promise<{ status: number; protocol?: string; headers?: Record<string, unknown> }> {
  const ws = new WebSocket(url, opts.protocols ?? [], { headers: opts.headers });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      const protocol = ws.protocol;
      ws.close();
      resolve({ status: 101, protocol });
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
      res.resume();
    });
    ws.once('error', reject);
  });
}

describe('gateway tokens - JWKS', () => {
  const rsa1 = makeKey('rsa-1', 'RS256');
  const rsa2 = makeKey('rsa-2', 'RS256');
  const ec1 = makeKey('ec-1', 'ES256');
  let nats: TestNats;
  let dir: string;
  let fromFile: RunningGateway;
  let fromUrl: RunningGateway;
  let jwksServer: Server;
  let served = jwks(rsa1);
  let jwksRequests = 0;

  beforeAll(async () => {
    nats = await startNats();
    dir = mkdtempSync(join(tmpdir(), 'jwks-'));
    writeFileSync(join(dir, 'jwks.json'), jwks(rsa1, ec1));
    fromFile = await startGateway(nats.url, { JWT_JWKS_FILE: join(dir, 'jwks.json'), JWT_AUDIENCE: 'relay', JWT_ISSUER: 'https://id.example' });
    jwksServer = createServer((_req, res) => {
      jwksRequests++;
      res.setHeader('content-type', 'application/json');
      res.end(served);
    });
    await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
    fromUrl = await startGateway(nats.url, { JWT_JWKS_URL: url });
  });

  afterAll(async () => {
    await fromFile?.close();
    await fromUrl?.close();
    await new Promise((r) => jwksServer?.close(r));
    await nats?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const good = { aud: 'relay', iss: 'https://id.example' };

  it('tokens - RS256 and ES256 tokens whose kid is in the JWKS open a socket', async () => {
    const a = await TestClient.connect(fromFile.url, sign(rsa1, { sub: 'auth0|5f3a9c', ...good }));
    expect(a.welcome).toMatchObject({ user: 'auth0|5f3a9c' });
    await a.close();
    const b = await TestClient.connect(fromFile.url, sign(ec1, { sub: 'alice@example.com', ...good }));
    expect(b.welcome).toMatchObject({ user: 'alice@example.com' });
    await b.close();
  });

  it.each([
    ['wrong aud', () => sign(rsa1, { sub: 'alice', aud: 'another-app', iss: good.iss })],
    ['no aud', () => sign(rsa1, { sub: 'alice', iss: good.iss })],
    ['no iss', () => sign(rsa1, { sub: 'alice', aud: 'relay' })],
    ['wrong iss', () => sign(rsa1, { sub: 'alice', aud: 'relay', iss: 'https://evil.example' })],
    ['unknown kid', () => sign(rsa1, { sub: 'alice', ...good }, { kid: 'nobody' })],
    ['a kid of another key type (RS256 token, EC kid)', () => sign(rsa1, { sub: 'alice', ...good }, { kid: 'ec-1' })],
    ['HS256 (not configured when only a JWKS is)', () => signToken('alice', SECRET, good)],
    ['no exp', () => createSigner({ key: rsa1.privatePem, algorithm: 'RS256', kid: 'rsa-1' })({ sub: 'alice', ...good })],
    ['signed by a key not in the JWKS under a known kid', () => sign({ ...makeKey('rsa-1', 'RS256') }, { sub: 'alice', ...good })],
  ])('tokens - %s is HTTP 401', async (_what, token) => {
    expect((await upgrade(`${fromFile.url}?token=${token()}`)).status).toBe(401);
  });

  it('tokens - rotation: the next key is accepted once published, both overlap, the retired one is refused', async () => {
    const t1 = () => sign(rsa1, { sub: 'alice' });
    const t2 = () => sign(rsa2, { sub: 'alice' });
    expect((await upgrade(`${fromUrl.url}?token=${t1()}`)).status).toBe(101);
    expect((await upgrade(`${fromUrl.url}?token=${t2()}`)).status).toBe(401);
    const jwksKeys = fromUrl.app.security.jwks;
    if (!jwksKeys) throw new Error('the URL gateway has a JWKS');
    served = jwks(rsa1, rsa2);
    const before = jwksRequests;
    await jwksKeys.reload();
    expect(jwksRequests).toBe(before + 1);
    expect(jwksKeys.kids.sort()).toEqual(['rsa-1', 'rsa-2']);
    expect((await upgrade(`${fromUrl.url}?token=${t1()}`)).status).toBe(101);
    expect((await upgrade(`${fromUrl.url}?token=${t2()}`)).status).toBe(101);
    served = jwks(rsa2);
    await jwksKeys.reload();
    expect((await upgrade(`${fromUrl.url}?token=${t1()}`)).status).toBe(401);
    expect((await upgrade(`${fromUrl.url}?token=${t2()}`)).status).toBe(101);
    // A reload that fails keeps the keys it had.
    served = 'not json';
    await jwksKeys.reload();
    expect((await upgrade(`${fromUrl.url}?token=${t2()}`)).status).toBe(101);
  });
});

describe('gateway tokens - HS256 rotation, subprotocol, refresh and expiry', () => {
  const PREVIOUS = 'the-previous-gateway-unit-test-secret';
  let nats: TestNats;
  let fake: FakeServices;
  let gw: RunningGateway;

  beforeAll(async () => {
    nats = await startNats();
    fake = await FakeServices.start(nats.url);
    gw = await startGateway(nats.url, { JWT_SECRET_PREVIOUS: PREVIOUS, JWT_CLOCK_SKEW_MS: '0' });
  });

  afterAll(async () => {
    await gw?.close();
    await fake?.close();
    await nats?.close();
  });

  it('tokens - during an HS256 rotation tokens of the current and the previous secret are accepted', async () => {
    expect((await upgrade(`${gw.url}?token=${signToken('alice', SECRET)}`)).status).toBe(101);
    expect((await upgrade(`${gw.url}?token=${signToken('alice', PREVIOUS)}`)).status).toBe(101);
    expect((await upgrade(`${gw.url}?token=${signToken('alice', 'some-other-secret-entirely-xxxxxx')}`)).status).toBe(401);
  });

  it('tokens - the token as subprotocol bearer.<JWT> next to relay.v1: accepted, and only relay.v1 is answered', async () => {
    const token = signToken('alice', SECRET);
    const ok = await upgrade(gw.url, { protocols: ['relay.v1', `bearer.${token}`] });
    expect(ok).toMatchObject({ status: 101, protocol: 'relay.v1' });
    expect((await upgrade(gw.url, { protocols: ['relay.v1', 'bearer.not-a-token'] })).status).toBe(401);
    expect((await upgrade(gw.url, { protocols: ['relay.v1'] })).status).toBe(401);
  });

  it('tokens - refresh: same sub answers authed with the new exp; another sub is FORBIDDEN, a bad token UNAUTHORIZED; the socket stays open', async () => {
    const user = uniqueName('u');
    const c = await TestClient.connect(gw.url, signToken(user, SECRET));
    const fresh = signToken(user, SECRET, {}, 2 * 60 * 60 * 1000);
    const exp = JSON.parse(Buffer.from(fresh.split('.')[1], 'base64url').toString()).exp as number;
    expect(await c.request({ type: 'auth', token: fresh })).toEqual({ type: 'authed', ref: expect.any(String), exp });
    expect(await c.request({ type: 'auth', token: signToken(uniqueName('other'), SECRET) })).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    expect(await c.request({ type: 'auth', token: signToken(user, 'wrong-secret') })).toMatchObject({ type: 'error', code: 'UNAUTHORIZED' });
    expect(await c.request({ type: 'auth', token: createSigner({ key: SECRET, algorithm: 'HS256' })({ sub: user }) })).toMatchObject({ type: 'error', code: 'UNAUTHORIZED' });
    expect(await c.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    await c.close();
  });

  it('tokens - a socket whose token expires is closed with 4001; a refreshed one on the same user stays open', async () => {
    const user = uniqueName('u');
    // Two seconds of life (exp has one-second resolution, so 2-3 s).
    const shortToken = () => signToken(user, SECRET, {}, 2000);
    const refreshed = await TestClient.connect(gw.url, shortToken());
    const left = await TestClient.connect(gw.url, shortToken());
    expect(await refreshed.request({ type: 'auth', token: signToken(user, SECRET) })).toMatchObject({ type: 'authed' });
    const closed = await Promise.race([left.closed, new Promise<undefined>((r) => setTimeout(() => r(undefined), 10000))]);
    expect(closed).toEqual({ code: 4001, reason: 'token expired' });
    expect(await refreshed.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    await refreshed.close();
  });

  it('tokens - an identity-provider user id gets its live notifications through the encoded subject', async () => {
    const user = `${uniqueName('auth0')}|5f3a9c.x@example.com`;
    const c = await TestClient.connect(gw.url, signToken(user, SECRET));
    expect(c.welcome).toMatchObject({ user });
    // The connection is registered once its pending request has arrived.
    await waitFor(() => fake.pendingRequests.includes(user), { what: 'the connection registered' });
    const n: Notification = { id: newId(), kind: 'mention', user, from: 'bob', room: 'lobby', text: 'hi', ts: Date.now() };
    fake.bus.publish(UserNotification, { user }, n);
    expect(await c.next((f) => f.type === 'notification')).toMatchObject({ id: n.id, text: 'hi' });
    await c.close();
  });

  it('delivery - a notification published on one user subject but naming another user is dropped', async () => {
    const victim = uniqueName('victim');
    const owner = uniqueName('owner');
    const v = await TestClient.connect(gw.url, signToken(victim, SECRET));
    const o = await TestClient.connect(gw.url, signToken(owner, SECRET));
    await waitFor(() => [owner, victim].every((u) => fake.pendingRequests.includes(u)), { what: 'both connections registered' });
    const forged: Notification = { id: newId(), kind: 'mention', user: victim, from: 'mallory', text: 'forged', ts: Date.now() };
    fake.bus.publish(UserNotification, { user: owner }, forged);
    const real: Notification = { id: newId(), kind: 'mention', user: victim, from: 'bob', text: 'real', ts: Date.now() };
    fake.bus.publish(UserNotification, { user: victim }, real);
    // NATS keeps one publisher's order: once the real one is in, the forged one was handled.
    expect(await v.next((f) => f.type === 'notification')).toMatchObject({ id: real.id });
    expect(await o.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    expect(v.received((f) => f.type === 'notification')).toHaveLength(1);
    expect(o.received((f) => f.type === 'notification')).toHaveLength(0);
    await v.close();
    await o.close();
  });
});
