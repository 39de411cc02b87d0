/** Private nats-server and redis-server processes for tests, on free ports, described by @relay/local-servers. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireServerBinary, serverArgs } from '@relay/local-servers';
import { ChildServer } from './child-server';
import { freePort } from './free-port';
import { httpStatus, portOpen } from './wait-for';

export interface TestNats {
  url: string;
  server: ChildServer;
  /** NATS monitoring endpoint (connz, subsz) for tests that inspect subscriptions. */
  monitorUrl: string;
  close(): Promise<void>;
}

export interface TestRedis {
  url: string;
  server: ChildServer;
  close(): Promise<void>;
}

/** A private nats-server (JetStream on, in a temporary folder) on a free port. */
export async function startNats(opts: { jetstream?: boolean } = {}): Promise<TestNats> {
  const bin = requireServerBinary('nats');
  const port = await freePort();
  const monitor = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'relay-nats-'));
  const args = serverArgs('nats', { port, monitorPort: monitor, dir, jetstream: opts.jetstream });
  const server = new ChildServer('nats-server', bin, args, port, async () => (await httpStatus(`http://127.0.0.1:${monitor}/healthz`)) === 200);
  await server.start();
  return {
    url: `nats://127.0.0.1:${port}`,
    monitorUrl: `http://127.0.0.1:${monitor}`,
    server,
    async close() {
      await server.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface StartRedisOptions {
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
  const server = new ChildServer('redis-server', bin, args, port, () => portOpen(port));
  await server.start();
  return {
    url: `redis://127.0.0.1:${port}`,
    server,
    async close() {
      await server.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
