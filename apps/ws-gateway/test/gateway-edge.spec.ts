// The upgrade's edge checks: connections per user and per address (429 + Retry-After before a
// socket opens), the Origin allow-list, wss:// with certificates made by openssl at test time,
// client addresses behind a proxy, and logs that never carry a token.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import WebSocket from 'ws';
import { signToken, startNats, TestClient, uniqueName, waitFor, type TestNats } from '@relay/testing';
import { SECRET, startGateway, useGatewayWorld, type RunningGateway } from './harness';
import { httpLoggerOptions } from '../src/gateway-security';

/** Upgrade status and headers; 101 when the socket opened (and it is closed again). */
async function upgrade(url: string, headers: Record<string, string> = {}, ca?: Buffer): Promise<{ status: number; headers?: Record<string, unknown> }> {
  const ws = new WebSocket(url, { headers, ca });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.close();
      resolve({ status: 101 });
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
      res.resume();
    });
    ws.once('error', reject);
  });
}

describe('gateway edge - connection limits and origin', () => {
  const world = useGatewayWorld({ MAX_CONNECTIONS_PER_USER: '2', MAX_CONNECTIONS_PER_IP: '4', ALLOWED_ORIGINS: 'https://chat.example' });

  it('limits - a user past MAX_CONNECTIONS_PER_USER gets 429 with Retry-After before the upgrade; a closed one frees the slot', async () => {
    const { gw } = world;
    const user = uniqueName('many');
    const token = signToken(user, SECRET);
    const a = await TestClient.connect(gw.url, token);
    const b = await TestClient.connect(gw.url, token);
    const refused = await upgrade(`${gw.url}?token=${token}`);
    expect(refused.status).toBe(429);
    expect(refused.headers?.['retry-after']).toMatch(/^\d+$/);
    await a.close();
    await waitFor(() => gw.app.security.limits.countOf(user, '127.0.0.1').user < 2, { what: 'slot released' });
    const c = await TestClient.connect(gw.url, token);
    await Promise.all([b.close(), c.close()]);
  });

  it('limits - an address past MAX_CONNECTIONS_PER_IP gets 429, whatever the users', async () => {
    const { gw } = world;
    await waitFor(() => gw.app.security.limits.countOf('-', '127.0.0.1').ip === 0, { what: 'earlier sockets gone' });
    const clients = await Promise.all([1, 2, 3, 4].map(() => TestClient.connect(gw.url, signToken(uniqueName('ip'), SECRET))));
    const refused = await upgrade(`${gw.url}?token=${signToken(uniqueName('ip'), SECRET)}`);
    expect(refused.status).toBe(429);
    expect(refused.headers?.['retry-after']).toBeDefined();
    await Promise.all(clients.map((c) => c.close()));
  });

  it('origin - a browser upgrade from an origin not in ALLOWED_ORIGINS is 403; allowed or absent origins pass', async () => {
    const { gw } = world;
    await waitFor(() => gw.app.security.limits.countOf('-', '127.0.0.1').ip === 0, { what: 'earlier sockets gone' });
    const token = signToken(uniqueName('o'), SECRET);
    expect((await upgrade(`${gw.url}?token=${token}`, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await upgrade(`${gw.url}?token=${token}`, { origin: 'https://chat.example' })).status).toBe(101);
    expect((await upgrade(`${gw.url}?token=${token}`)).status).toBe(101);
  });
});

describe('gateway edge - the upgrade itself', () => {
  const world = useGatewayWorld();

  it('upgrade - only /ws upgrades: another path is 404 and a token-less /ws is 401, each with a JSON error body and no socket', async () => {
    const { gw } = world;
    const token = signToken(uniqueName('path'), SECRET);
    const other = await upgrade(`${gw.url.replace(/\/ws$/, '/elsewhere')}?token=${token}`);
    expect(other.status).toBe(404);
    const noToken = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const ws = new WebSocket(gw.url);
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.once('open', () => reject(new Error('opened without a token')));
      ws.once('error', reject);
    });
    expect(noToken.status).toBe(401);
    expect(JSON.parse(noToken.body)).toEqual({ error: 'UNAUTHORIZED', message: 'a token is required' });
    expect(gw.app.registry.connectionCount).toBe(0);
  });

  it('upgrade - clients that reset right after their upgrade request release their connection slots', async () => {
    const { gw } = world;
    const user = uniqueName('reset');
    const { port } = new URL(gw.url);
    const request =
      `GET /ws?token=${signToken(user, SECRET)} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${Buffer.alloc(16, 1).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
    // Twenty of them, each reset as soon as its request is written.
    await Promise.all(
      Array.from({ length: 20 }, () =>
        new Promise<void>((resolve) => {
          const socket = connect(Number(port), '127.0.0.1', () => {
            socket.write(request);
            socket.resetAndDestroy();
          });
          socket.once('error', () => undefined);
          socket.once('close', () => resolve());
        }),
      ),
    );
    await waitFor(() => gw.app.security.limits.countOf(user, '127.0.0.1').user === 0, { what: 'slots released' });
    const ok = await TestClient.connect(gw.url, signToken(user, SECRET));
    await ok.close();
  });
});

describe('gateway edge - TLS and proxies', () => {
  let nats: TestNats;
  let dir: string;
  let tls: RunningGateway;
  let proxied: RunningGateway;

  beforeAll(async () => {
    nats = await startNats();
    dir = mkdtempSync(join(tmpdir(), 'gw-tls-'));
    // A CA and a server certificate for 127.0.0.1 and localhost, made now, for this run only.
    const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=relay test CA');
    run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
    writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'san.ext');
    tls = await startGateway(nats.url, { TLS_CERT_FILE: join(dir, 'server.pem'), TLS_KEY_FILE: join(dir, 'server.key') });
    proxied = await startGateway(nats.url, { TRUST_PROXY: '1', MAX_CONNECTIONS_PER_IP: '1' });
  });

  afterAll(async () => {
    await tls?.close();
    await proxied?.close();
    await nats?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tls - the gateway serves wss:// with the configured certificate; a client trusting the CA chats over it', async () => {
    const ca = readFileSync(join(dir, 'ca.pem'));
    const url = `wss://127.0.0.1:${tls.port}/ws?token=${signToken('alice', SECRET)}`;
    const ws = new WebSocket(url, { ca });
    const welcome = await new Promise<{ type: string; user: string }>((resolve, reject) => {
      ws.once('message', (d) => resolve(JSON.parse(d.toString()) as { type: string; user: string }));
      ws.once('error', reject);
    });
    expect(welcome).toMatchObject({ type: 'welcome', user: 'alice' });
    ws.close();
    // Not trusting the CA: the TLS handshake fails; plain ws:// is not served on that port.
    await expect(upgrade(url)).rejects.toThrow(/certificate/i);
    const health = await new Promise<number>((resolve, reject) => {
      httpsGet(`https://127.0.0.1:${tls.port}/healthz`, { ca }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    expect(health).toBe(200);
  });

  it('proxy - with TRUST_PROXY the client address comes from X-Forwarded-For (limits count the real client)', async () => {
    const token = () => signToken(uniqueName('p'), SECRET);
    const a = await TestClient.connect(proxied.url, token(), { headers: { 'x-forwarded-for': '203.0.113.7' } });
    // Same proxy, another client: its own budget.
    const b = await TestClient.connect(proxied.url, token(), { headers: { 'x-forwarded-for': '203.0.113.8' } });
    expect((await upgrade(`${proxied.url}?token=${token()}`, { 'x-forwarded-for': '203.0.113.7' })).status).toBe(429);
    await Promise.all([a.close(), b.close()]);
  });
});

describe('gateway edge - logs', () => {
  it('logs - the HTTP logger writes no token: query strings, Authorization and bearer subprotocols are redacted', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ level: 'info' }, sink).child({ component: 'http' }, httpLoggerOptions);
    const secret = signToken('alice', SECRET);
    logger.error(
      { req: { method: 'GET', url: `/ws?token=${secret}`, headers: { authorization: `Bearer ${secret}`, 'sec-websocket-protocol': `relay.v1, bearer.${secret}` } } },
      'request failed',
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('/ws?[REDACTED]');
    expect(lines[0]).not.toContain(secret.split('.')[2]);
  });
});
