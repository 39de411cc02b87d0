/**
 * A real Redis Cluster for one test file: N masters (no replicas) on free ports, joined by
 * `redis-cli --cluster create`, each with the append-only file fsynced every second as in
 * production. The services reach it with REDIS_URL=redis+cluster://... (see `url`).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireServerBinary } from '@relay/local-servers';
import { ChildServer } from './child-server';
import { freePort } from './free-port';
import { redisCli, redisCliBinary } from './redis-cli';
import { portOpen, waitFor } from './wait-for';

export interface TestRedisCluster {
  /** redis+cluster://127.0.0.1:p1,127.0.0.1:p2,... */
  url: string;
  nodes: ChildServer[];
  /** Which node serves `key`'s slot (a port from `nodes`). */
  nodePortOf(key: string): Promise<number>;
  close(): Promise<void>;
}

export async function startRedisCluster(opts: { masters?: number } = {}): Promise<TestRedisCluster> {
  const bin = requireServerBinary('redis');
  const cli = redisCliBinary();
  const count = opts.masters ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'relay-redis-cluster-'));
  const nodes: ChildServer[] = [];
  const close = async () => {
    await Promise.all(nodes.map((n) => n.kill()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      // The cluster bus port is given explicitly: port + 10000 may be inside the ephemeral range.
      const busPort = await freePort();
      const nodeDir = join(dir, String(port));
      mkdirSync(nodeDir);
      const args = ['--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1', '--cluster-enabled', 'yes',
        '--cluster-config-file', join(nodeDir, 'nodes.conf'), '--cluster-node-timeout', '2000', '--appendonly', 'yes',
        '--appendfsync', 'everysec', '--save', '', '--dir', nodeDir];
      const node = new ChildServer('redis-server (cluster)', bin, args, port, () => portOpen(port));
      nodes.push(node);
      await node.start();
    }
    await redisCli(cli, ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes']);
    for (const n of nodes) {
      await waitFor(async () => (await redisCli(cli, ['-p', String(n.port), 'cluster', 'info'])).includes('cluster_state:ok'), {
        timeoutMs: 20000,
        what: `cluster_state:ok on ${n.port}`,
      });
    }
  } catch (err) {
    await close();
    throw err;
  }
  return {
    url: `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`,
    nodes,
    async nodePortOf(key: string) {
      const slot = Number((await redisCli(cli, ['-p', String(nodes[0].port), 'cluster', 'keyslot', key])).trim());
      const shards = await redisCli(cli, ['-p', String(nodes[0].port), 'cluster', 'nodes']);
      for (const line of shards.split('\n')) {
        const [, addr, , , , , , , ...ranges] = line.split(' ');
        for (const r of ranges) {
          const [lo, hi = lo] = r.split('-').map(Number);
          if (slot >= lo && slot <= hi) return Number(addr.split(':')[1].split('@')[0]);
        }
      }
      throw new Error(`no node owns slot ${slot}`);
    },
    close,
  };
}
