/**
 * A real Sentinel setup for one test file: a primary, one replica and Sentinel processes
 * (`redis-server --sentinel`) watching them, all with the append-only file fsynced every second.
 * `killPrimary()` crashes the primary (SIGKILL) and waits until Sentinel has promoted the
 * replica, so a test can check what clients saw across a real failover.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireServerBinary } from '@relay/local-servers';
import { ChildServer } from './child-server';
import { freePort } from './free-port';
import { redisCli, redisCliBinary } from './redis-cli';
import { portOpen, waitFor } from './wait-for';

export const SENTINEL_PRIMARY_NAME = 'relay';

export interface TestRedisSentinel {
  /** redis+sentinel://127.0.0.1:<sentinel port>,.../relay */
  url: string;
  primary: ChildServer;
  replica: ChildServer;
  sentinels: ChildServer[];
  /** The port Sentinel names as the primary now. */
  primaryPort(): Promise<number>;
  /** SIGKILLs the current primary and waits until Sentinel names the replica instead; returns its port. */
  killPrimary(timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

export async function startRedisSentinel(opts: { sentinels?: number; downAfterMs?: number } = {}): Promise<TestRedisSentinel> {
  const bin = requireServerBinary('redis');
  const cli = redisCliBinary();
  const dir = mkdtempSync(join(tmpdir(), 'relay-redis-sentinel-'));
  const all: ChildServer[] = [];
  const close = async () => {
    await Promise.all(all.map((s) => s.kill()));
    rmSync(dir, { recursive: true, force: true });
  };
  const dataNode = async (name: string, extra: string[]) => {
    const port = await freePort();
    const nodeDir = join(dir, name);
    mkdirSync(nodeDir);
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--dir', nodeDir, ...extra];
    const server = new ChildServer(`redis-server (${name})`, bin, args, port, () => portOpen(port));
    all.push(server);
    await server.start();
    return server;
  };
  const info = (port: number, ...args: string[]) => redisCli(cli, ['-p', String(port), ...args]);
  try {
    const primary = await dataNode('primary', []);
    const replica = await dataNode('replica', ['--replicaof', '127.0.0.1', String(primary.port)]);
    await waitFor(async () => (await info(replica.port, 'info', 'replication')).includes('master_link_status:up'), { timeoutMs: 15000, what: 'replica in sync' });
    const quorum = opts.sentinels ?? 1;
    const sentinels: ChildServer[] = [];
    for (let i = 0; i < quorum; i++) {
      const port = await freePort();
      // Sentinel rewrites its config file (it records what it learns), so each gets its own.
      const conf = join(dir, `sentinel-${port}.conf`);
      writeFileSync(conf, [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${SENTINEL_PRIMARY_NAME} 127.0.0.1 ${primary.port} ${Math.floor(quorum / 2) + 1}`,
        `sentinel down-after-milliseconds ${SENTINEL_PRIMARY_NAME} ${opts.downAfterMs ?? 1000}`,
        `sentinel failover-timeout ${SENTINEL_PRIMARY_NAME} 10000`,
        `sentinel parallel-syncs ${SENTINEL_PRIMARY_NAME} 1`,
        '',
      ].join('\n'));
      const sentinel = new ChildServer('redis-sentinel', bin, [conf, '--sentinel'], port, () => portOpen(port));
      all.push(sentinel);
      sentinels.push(sentinel);
      await sentinel.start();
      await waitFor(async () => (await info(port, 'sentinel', 'replicas', SENTINEL_PRIMARY_NAME)).includes(String(replica.port)), {
        timeoutMs: 20000,
        what: 'sentinel to discover the replica',
      });
    }
    const primaryPort = async () => Number((await info(sentinels[0].port, 'sentinel', 'get-master-addr-by-name', SENTINEL_PRIMARY_NAME)).trim().split('\n')[1]);
    return {
      url: `redis+sentinel://${sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')}/${SENTINEL_PRIMARY_NAME}`,
      primary,
      replica,
      sentinels,
      primaryPort,
      async killPrimary(timeoutMs = 30000) {
        const before = await primaryPort();
        const victim = [primary, replica].find((s) => s.port === before);
        if (!victim) throw new Error(`sentinel names port ${before}, which is neither the primary nor the replica`);
        await victim.kill();
        return waitFor(async () => {
          const now = await primaryPort();
          if (now === before) return undefined;
          // Promoted means it answers as a master, not only that Sentinel decided.
          return (await info(now, 'role')).startsWith('master') ? now : undefined;
        }, { timeoutMs, intervalMs: 100, what: 'sentinel to promote the replica' });
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
