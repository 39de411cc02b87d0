/** Private nats-server and redis-server processes for tests, on free ports, described by @relay/local-servers. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { nkeyAuthenticator, type ConnectionOptions } from 'nats';
import { requireServerBinary, serverArgs } from '@relay/local-servers';
import { ChildServer } from './child-server';
import { generateNatsAuth, readSeed, roleCredentials, type NatsAuthFiles } from './nats-auth';
import { freePort } from './free-port';
import { httpStatus, portOpen } from './wait-for';

export interface TestNats {
  url: string;
  server: ChildServer;
  /** NATS monitoring endpoint (connz, subsz) for tests that inspect subscriptions. */
  monitorUrl: string;
  /** The generated per-role credentials; undefined when started with `auth: false`. */
  auth?: NatsAuthFiles;
  /** Environment for an app acting as `role`: NATS_URL and, with auth, its NATS_NKEY_SEED_FILE. */
  envFor(role: string): Record<string, string>;
  /** nats.js connect options for a test client acting as `role` (its credentials and inbox). */
  optionsFor(role: string): ConnectionOptions;
  close(): Promise<void>;
}

export interface StartNatsOptions {
  /** JetStream with a store in the server's temporary folder (default on, as everywhere the project runs NATS). */
  jetstream?: boolean;
  /**
   * Per-role users with the permissions derived from the contract catalog (default on): the
   * same generator as the local start command and docker-compose.
   */
  auth?: boolean;
  /**
   * With auth: connections without credentials act as the unrestricted `test-harness` user
   * (default on), so a test's own probes can play several parties. Off, they are refused.
   */
  harness?: boolean;
  /**
   * Serve TLS only, with this server certificate and key. `caFile` is the CA that signed it (handed
   * to apps as NATS_TLS_CA_FILE); `verifyClients` also requires client certificates from that CA.
   */
  tls?: { certFile: string; keyFile: string; caFile?: string; verifyClients?: boolean };
}

export interface TestRedis {
  url: string;
  server: ChildServer;
  close(): Promise<void>;
}

/** The server's configuration file: the generated authorization block and TLS, if any. */
function writeServerConf(dir: string, auth: NatsAuthFiles | undefined, tls: StartNatsOptions['tls']): string {
  const lines: string[] = [];
  // nats-server resolves `include` relative to the including file.
  if (auth) lines.push(`include ${JSON.stringify(relative(dir, auth.confPath))}`);
  if (tls) {
    const block: Record<string, unknown> = { cert_file: tls.certFile, key_file: tls.keyFile };
    if (tls.caFile) block.ca_file = tls.caFile;
    if (tls.verifyClients) block.verify = true;
    lines.push(`tls: ${JSON.stringify(block)}`);
  }
  const path = join(dir, 'server.conf');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** Servers started by this process, by URL, so a harness given only a URL can find the credentials. */
const startedNats = new Map<string, TestNats>();

/**
 * Environment for an app of `role` on the NATS at `url`: its credentials when that server was made
 * by startNats here (so in-process app tests run with their role's permissions), else the URL alone.
 */
export function natsEnvFor(url: string, role: string): Record<string, string> {
  return startedNats.get(url)?.envFor(role) ?? { NATS_URL: url };
}

/**
 * A private nats-server on a free port, by default with one user per bus role and the
 * permissions derived from the contract catalog; `envFor(role)` gives an app its credentials.
 */
export async function startNats(opts: StartNatsOptions = {}): Promise<TestNats> {
  const bin = requireServerBinary('nats');
  const port = await freePort();
  const monitor = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'relay-nats-'));
  const auth = opts.auth === false ? undefined : generateNatsAuth(join(dir, 'auth'), opts.harness !== false);
  const conf = writeServerConf(dir, auth, opts.tls);
  const args = ['-c', conf, ...serverArgs('nats', { port, monitorPort: monitor, dir: join(dir, 'js'), jetstream: opts.jetstream ?? true })];
  const server = new ChildServer('nats-server', bin, args, port, async () => (await httpStatus(`http://127.0.0.1:${monitor}/healthz`)) === 200);
  await server.start();
  const url = `${opts.tls ? 'tls' : 'nats'}://127.0.0.1:${port}`;
  const nats: TestNats = {
    url,
    monitorUrl: `http://127.0.0.1:${monitor}`,
    server,
    auth,
    envFor(role) {
      return {
        NATS_URL: url,
        ...(auth ? { NATS_NKEY_SEED_FILE: roleCredentials(auth, role).seedFile } : {}),
        ...(opts.tls?.caFile ? { NATS_TLS_CA_FILE: opts.tls.caFile } : {}),
      };
    },
    optionsFor(role) {
      const creds = auth ? roleCredentials(auth, role) : undefined;
      return {
        servers: url,
        ...(creds ? { authenticator: nkeyAuthenticator(readSeed(creds.seedFile)), inboxPrefix: creds.inboxPrefix } : {}),
        ...(opts.tls?.caFile ? { tls: { caFile: opts.tls.caFile } } : {}),
      };
    },
    async close() {
      startedNats.delete(url);
      await server.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  startedNats.set(url, nats);
  return nats;
}

export interface StartRedisOptions {
  /** Require this password (the default user's): the URL carries it. */
  password?: string;
  /** Serve TLS only (no plain port) with these files; the URL becomes rediss://. */
  tls?: { certFile: string; keyFile: string; caFile: string };
  /**
   * AOF on with fsync every second, as the project runs Redis everywhere else: a restart of
   * `server` (same folder) keeps what was written. Off by default: most tests need no
   * persistence and start faster without it.
   */
  durable?: boolean;
}

/** A private redis-server on a free port; nothing persisted unless `durable`. */
export async function startRedis(opts: StartRedisOptions = {}): Promise<TestRedis> {
  const bin = requireServerBinary('redis');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'relay-redis-'));
  const args = serverArgs('redis', { port, dir, durable: opts.durable });
  // Later arguments win: TLS only means no plain port and the TLS one on `port`.
  if (opts.tls) {
    args.push('--port', '0', '--tls-port', String(port), '--tls-cert-file', opts.tls.certFile, '--tls-key-file', opts.tls.keyFile);
    args.push('--tls-ca-cert-file', opts.tls.caFile, '--tls-auth-clients', 'no');
  }
  if (opts.password) args.push('--requirepass', opts.password);
  const server = new ChildServer('redis-server', bin, args, port, () => portOpen(port));
  await server.start();
  const auth = opts.password ? `:${encodeURIComponent(opts.password)}@` : '';
  return {
    url: `${opts.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${port}`,
    server,
    async close() {
      await server.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
