/**
 * A real NATS cluster for one test file: N nats-server processes on free ports joined by routes
 * (cluster name "relay", JetStream on with a store folder per node), the local twin of
 * deploy/nats-cluster. Nodes can be killed and restarted on the same ports while clients keep
 * their URL lists.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireServerBinary, serverArgs } from '@relay/local-servers';
import { ChildServer } from './child-server';
import { freePort } from './free-port';
import { httpStatus, waitFor } from './wait-for';

export interface NatsNode {
  /** nats://127.0.0.1:<client port> */
  url: string;
  monitorUrl: string;
  server: ChildServer;
}

export interface TestNatsCluster {
  nodes: NatsNode[];
  /** Every node's URL, comma-separated (the NATS_URL form), starting with node `first`. */
  urlList(first?: number): string;
  /** The index of the node a client connection named `name` is attached to, or -1. */
  nodeOf(name: (connectionName: string) => boolean): Promise<number>;
  /** Waits until every running node has a route to every other running node. */
  waitForRoutes(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startNatsCluster(opts: { nodes?: number; jetstream?: boolean } = {}): Promise<TestNatsCluster> {
  const bin = requireServerBinary('nats');
  const count = opts.nodes ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'relay-nats-cluster-'));
  const ports = [];
  for (let i = 0; i < count; i++) ports.push({ client: await freePort(), cluster: await freePort(), monitor: await freePort() });
  const routes = ports.map((p) => `nats://127.0.0.1:${p.cluster}`).join(',');
  const nodes: NatsNode[] = ports.map((p, i) => {
    const name = `relay-nats-${i + 1}`;
    const store = join(dir, name);
    mkdirSync(store);
    const args = [
      ...serverArgs('nats', { port: p.client, monitorPort: p.monitor, dir: store, jetstream: opts.jetstream ?? true }),
      ...['-n', name, '--cluster_name', 'relay', '--cluster', `nats://127.0.0.1:${p.cluster}`, '--routes', routes],
    ];
    const monitorUrl = `http://127.0.0.1:${p.monitor}`;
    const server = new ChildServer(`nats-server ${name}`, bin, args, p.client, async () => (await httpStatus(`${monitorUrl}/healthz`)) === 200);
    return { url: `nats://127.0.0.1:${p.client}`, monitorUrl, server };
  });
  const cluster: TestNatsCluster = {
    nodes,
    urlList(first = 0) {
      return nodes.map((_, i) => nodes[(first + i) % count].url).join(',');
    },
    async nodeOf(match) {
      for (let i = 0; i < count; i++) {
        if (!nodes[i].server.running) continue;
        const res = await fetch(`${nodes[i].monitorUrl}/connz?limit=1024`).catch(() => undefined);
        const body = res?.ok ? ((await res.json()) as { connections?: { name?: string }[] }) : undefined;
        if (body?.connections?.some((c) => c.name !== undefined && match(c.name))) return i;
      }
      return -1;
    },
    async waitForRoutes(timeoutMs = 20000) {
      const running = nodes.filter((n) => n.server.running);
      await waitFor(
        async () => {
          for (const n of running) {
            const res = await fetch(`${n.monitorUrl}/routez`);
            const body = (await res.json()) as { num_routes: number };
            if (body.num_routes < running.length - 1) return false;
          }
          return true;
        },
        { timeoutMs, what: `routes between ${running.length} NATS nodes` },
      );
    },
    async close() {
      await Promise.all(nodes.map((n) => n.server.kill()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(nodes.map((n) => n.server.start()));
    await cluster.waitForRoutes();
  } catch (err) {
    await cluster.close();
    throw err;
  }
  return cluster;
}
