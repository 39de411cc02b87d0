import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSigner } from 'fast-jwt';
import { signToken, startNats, TestClient, type TestNats } from '@relay/testing';
import { ConfigError } from '@relay/service-kit';
import { DEV_JWT_SECRET, readConfig } from '../src/config';
import { SECRET, startGateway, type RunningGateway } from './harness';

/** `alg: none` by hand: header and payload, empty signature. */
function unsignedToken(sub: string): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub, exp: Math.floor(Date.now() / 1000) + 600 })}.`;
}

async function upgradeStatus(url: string, token?: string, headers?: Record<string, string>): Promise<number> {
  try {
    const c = await TestClient.connect(url, token, { headers });
    await c.close();
    return 101;
  } catch (err) {
    return (err as { status?: number }).status ?? 0;
  }
}

describe('gateway auth', () => {
  let nats: TestNats;
  let gw: RunningGateway;
  let noDev: RunningGateway;

  beforeAll(async () => {
    nats = await startNats();
    gw = await startGateway(nats.url, { AUTH_DEV_TOKENS: '1' });
    noDev = await startGateway(nats.url);
  });

  afterAll(async () => {
    await gw?.close();
    await noDev?.close();
    await nats?.close();
  });

  it('auth - a valid HS256 token in the query or in Authorization: Bearer opens a socket', async () => {
    expect(await upgradeStatus(gw.url, signToken('alice', SECRET))).toBe(101);
    expect(await upgradeStatus(gw.url, undefined, { authorization: `Bearer ${signToken('alice', SECRET)}` })).toBe(101);
  });

  it.each([
    ['missing', undefined],
    ['forged (other secret)', signToken('alice', 'not-the-secret')],
    ['expired', createSigner({ key: SECRET, algorithm: 'HS256' })({ sub: 'alice', exp: Math.floor(Date.now() / 1000) - 60 })],
    ['malformed', 'not.a.jwt'],
    ['alg none', unsignedToken('alice')],
    ['alg HS512', createSigner({ key: SECRET, algorithm: 'HS512', expiresIn: 60000 })({ sub: 'alice' })],
    ['alg RS256 with no JWKS configured', createSigner({ key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), algorithm: 'RS256', expiresIn: 60000 })({ sub: 'alice' })],
    ['no exp', createSigner({ key: SECRET, algorithm: 'HS256' })({ sub: 'alice' })],
    ['nbf in the future', signToken('alice', SECRET, { nbf: Math.floor(Date.now() / 1000) + 3600 })],
    ['sub with a space', signToken('a b', SECRET)],
    ['sub with a wildcard', signToken('>', SECRET)],
    ['sub with a hash tag brace', signToken('a{b}', SECRET)],
    ['sub too long', signToken('u'.repeat(129), SECRET)],
    ['sub not a string', createSigner({ key: SECRET, algorithm: 'HS256', expiresIn: 60000 })({ sub: 42 } as unknown as { sub: string })],
  ])('auth - %s token is HTTP 401 before the upgrade', async (_what, token) => {
    expect(await upgradeStatus(gw.url, token)).toBe(401);
  });

  it('auth - dev tokens: 200 with a usable token when enabled, 400 on a bad user, 404 when disabled', async () => {
    const ok = await fetch(`${gw.http}/auth/dev-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user":"alice"}' });
    expect(ok.status).toBe(200);
    const { token } = (await ok.json()) as { token: string };
    const c = await TestClient.connect(gw.url, token);
    expect(c.welcome).toMatchObject({ user: 'alice' });
    await c.close();
    const bad = await fetch(`${gw.http}/auth/dev-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user":"a.>"}' });
    const wide = await fetch(`${gw.http}/auth/dev-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user":"auth0|5f3a9c"}' });
    expect(wide.status).toBe(200);
    expect(bad.status).toBe(400);
    const off = await fetch(`${noDev.http}/auth/dev-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user":"alice"}' });
    expect(off.status).toBe(404);
  });

  it('auth - health routes answer on the gateway port with breaker states', async () => {
    const ready = await fetch(`${gw.http}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, breakers: { 'chat-service': 'closed', 'presence-service': expect.any(String) } });
  });
});

describe('gateway web page', () => {
  it('web page - WEB_ROOT is served at / when it exists', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'web-root-'));
    writeFileSync(join(dir, 'index.html'), '<title>relay web chat</title>');
    const nats = await startNats();
    const gw = await startGateway(nats.url, { WEB_ROOT: dir });
    try {
      const res = await fetch(`${gw.http}/`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('relay web chat');
      expect((await fetch(`${gw.http}/healthz`)).status).toBe(200);
    } finally {
      await gw.close();
      await nats.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('gateway config', () => {
  const LONG_SECRET = 'a-real-secret-of-at-least-32-bytes!!';

  it('config - production refuses the development secret or no secret', () => {
    expect(() => readConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => readConfig({ NODE_ENV: 'production', JWT_SECRET: DEV_JWT_SECRET })).toThrow(/JWT_SECRET/);
    expect(readConfig({ NODE_ENV: 'production', JWT_SECRET: LONG_SECRET }).jwtSecret).toBe(LONG_SECRET);
    expect(readConfig({}).jwtSecret).toBe(DEV_JWT_SECRET);
  });

  it('config - production refuses an HS256 secret shorter than 32 bytes, the previous one included', () => {
    expect(() => readConfig({ NODE_ENV: 'production', JWT_SECRET: 'a-real-but-short-secret' })).toThrow(/JWT_SECRET is shorter than 32 bytes/);
    expect(() => readConfig({ NODE_ENV: 'production', JWT_SECRET: LONG_SECRET, JWT_SECRET_PREVIOUS: 'short' })).toThrow(/JWT_SECRET_PREVIOUS/);
    // Outside production a short secret is fine (local use), and so is one with only a JWKS.
    expect(readConfig({ JWT_SECRET: 'short' }).jwtSecret).toBe('short');
    expect(readConfig({ NODE_ENV: 'production', JWT_JWKS_FILE: '/keys/jwks.json' }).tokens.algorithms).toEqual(['RS256', 'ES256']);
  });

  it('config - production refuses AUTH_DEV_TOKENS=1, naming the setting', () => {
    expect(() => readConfig({ NODE_ENV: 'production', JWT_SECRET: LONG_SECRET, AUTH_DEV_TOKENS: '1' })).toThrow(/AUTH_DEV_TOKENS/);
    expect(readConfig({ AUTH_DEV_TOKENS: '1' }).devTokens).toBe(true);
  });

  it('config - token, permission and edge settings are checked at start-up', () => {
    expect(() => readConfig({ JWT_ALGORITHMS: 'HS256,none' })).toThrow(/JWT_ALGORITHMS/);
    expect(() => readConfig({ JWT_ALGORITHMS: 'RS256' })).toThrow(/JWT_JWKS_FILE/);
    expect(() => readConfig({ TLS_CERT_FILE: '/x.pem' })).toThrow(/TLS_KEY_FILE/);
    expect(() => readConfig({ PRIVATE_ROOMS: 'a.b' })).toThrow(/PRIVATE_ROOMS/);
    expect(() => readConfig({ PERMISSION_WEBHOOK_URL: 'ftp://x' })).toThrow(/PERMISSION_WEBHOOK_URL/);
    expect(readConfig({ JWT_AUDIENCE: 'relay, other', PRIVATE_ROOMS: 'team-*,board' })).toMatchObject({
      tokens: { audiences: ['relay', 'other'], algorithms: ['HS256'], clockSkewMs: 30000 },
      permissions: { privateRooms: ['team-*', 'board'] },
      edge: { maxConnectionsPerUser: 20, maxConnectionsPerIp: 0, trustProxy: false },
    });
  });

  it('config - defaults follow the protocol limits', () => {
    const c = readConfig({});
    expect(c).toMatchObject({
      port: 8080,
      maxFrameBytes: 16384,
      textMaxChars: 4000,
      maxRoomsPerConnection: 100,
      ratePerSec: 20,
      rateBurst: 40,
      outboundSoftLimitBytes: 262144,
      outboundHardLimitBytes: 1048576,
      recoveryCap: 1000,
      heartbeatIntervalMs: 3000,
      devTokens: false,
    });
    expect(() => readConfig({ RATE_PER_SEC: 'fast' })).toThrow(/RATE_PER_SEC/);
  });
});
