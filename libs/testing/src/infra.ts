import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChildServer, findBinary } from './child-server';
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

const NATS_HINT = 'apt-get install -y nats-server (Debian), brew install nats-server, or docker compose up -d nats';
const REDIS_HINT = 'apt-get install -y redis-server (Debian), brew install redis, or docker compose up -d redis';

/** A private nats-server (JetStream on, in a temporary folder) on a free port. */
export async function startNats(opts: { jetstream?: boolean } = {}): Promise<TestNats> {
  const bin = findBinary('nats-server', '/usr/sbin/nats-server', NATS_HINT);
  const port = await freePort();
  const monitor = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'relay-nats-'));
  const args = ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitor)];
  if (opts.jetstream) args.push('-js', '-sd', dir);
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

/** A private redis-server, nothing persisted, on a free port. */
export async function startRedis(): Promise<TestRedis> {
  const bin = findBinary('redis-server', '/usr/bin/redis-server', REDIS_HINT);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'relay-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
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
