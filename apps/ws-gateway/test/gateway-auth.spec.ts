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
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub })}.`;
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
    ['alg HS512', createSigner({ key: SECRET, algorithm: 'HS512' })({ sub: 'alice' })],
    ['sub with a dot', signToken('a.b', SECRET)],
    ['sub with a wildcard', signToken('>', SECRET)],
    ['sub too long', signToken('u'.repeat(65), SECRET)],
    ['sub not a string', createSigner({ key: SECRET, algorithm: 'HS256' })({ sub: 42 } as unknown as { sub: string })],
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
  it('config - production refuses the development secret or no secret', () => {
    expect(() => readConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => readConfig({ NODE_ENV: 'production', JWT_SECRET: DEV_JWT_SECRET })).toThrow(/JWT_SECRET/);
    expect(readConfig({ NODE_ENV: 'production', JWT_SECRET: 'a-real-secret' }).jwtSecret).toBe('a-real-secret');
    expect(readConfig({}).jwtSecret).toBe(DEV_JWT_SECRET);
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
