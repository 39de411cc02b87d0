import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { requireServerBinary } from '@relay/local-servers';
import { ChildServer, freePort, httpStatus, portOpen, waitFor } from '@relay/testing';
import { find, ROOT, validateOverlays } from './rendered';

const NATS = requireServerBinary('nats');
const CLUSTER_DIR = resolve(ROOT, 'deploy/nats-cluster');

/** `nats-server -t`: the real server parses the file and says whether it would start with it. */
function natsAccepts(file: string, env: Record<string, string> = {}): { ok: boolean; out: string } {
  const run = spawnSync(NATS, ['-c', file, '-t'], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 10000 });
  return { ok: run.status === 0, out: `${run.stdout}${run.stderr}` };
}

describe('NATS cluster configurations', () => {
  const nodes = readdirSync(CLUSTER_DIR).filter((f) => /^node-\d\.conf$/.test(f)).sort();

  it('nats configs - the three local nodes parse with the real nats-server, and each lists every route and its own address among them', () => {
    expect(nodes).toEqual(['node-1.conf', 'node-2.conf', 'node-3.conf']);
    const listens = nodes.map((f) => /cluster \{[\s\S]*?listen: "([^"]+)"/.exec(readFileSync(join(CLUSTER_DIR, f), 'utf8'))?.[1]);
    for (const f of nodes) {
      const text = readFileSync(join(CLUSTER_DIR, f), 'utf8');
      expect({ f, ...natsAccepts(join(CLUSTER_DIR, f)) }).toMatchObject({ f, ok: true });
      expect(text).toMatch(/name: relay\b/);
      for (const l of listens) expect(text).toContain(`nats-route://${l}`);
    }
    expect(new Set(listens).size).toBe(3);
  });

  it('nats configs - the three local node files, moved to free ports, form one routed cluster', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-nats-local-'));
    const servers: ChildServer[] = [];
    try {
      // Every fixed port of the files (4222-4224, 6222-6224, 8222-8224) gets a free one.
      const moved = new Map<string, number>();
      for (const base of [4222, 6222, 8222]) for (let i = 0; i < 3; i++) moved.set(String(base + i), await freePort());
      const relocate = (text: string) => text.replace(/\b(42|62|82)2[234]\b/g, (p) => String(moved.get(p))).replace(/\/tmp\/relay-nats-cluster/g, dir);
      for (const [i, f] of nodes.entries()) {
        const file = join(dir, f);
        writeFileSync(file, relocate(readFileSync(join(CLUSTER_DIR, f), 'utf8')));
        const client = moved.get(String(4222 + i)) as number;
        const server = new ChildServer(`nats ${f}`, NATS, ['-c', file], client, () => portOpen(client));
        servers.push(server);
      }
      await Promise.all(servers.map((x) => x.start()));
      for (let i = 0; i < 3; i++) {
        const monitor = moved.get(String(8222 + i));
        await waitFor(async () => ((await (await fetch(`http://127.0.0.1:${monitor}/routez`)).json()) as { num_routes: number }).num_routes >= 2, { what: `routes of node ${i + 1}`, timeoutMs: 20000 });
      }
    } finally {
      await Promise.all(servers.map((x) => x.kill()));
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);

  it('nats configs - three servers run from the Kubernetes NATS config form one cluster with authenticated routes; a wrong route password is refused', async () => {
    const conf = find(validateOverlays('deploy/k8s/overlays/prod').report['deploy/k8s/overlays/prod'].objects, 'ConfigMap', 'relay-nats-config').data['nats.conf'] as string;
    const dir = mkdtempSync(join(tmpdir(), 'relay-nats-conf-'));
    const servers: ChildServer[] = [];
    try {
      // The pod's file, with its fixed paths moved into the temp folder; ports come from flags,
      // and the route URLs (pod DNS names in Kubernetes) point at the local route ports.
      writeFileSync(join(dir, 'nats.conf'), conf.replace('/data/jetstream', join(dir, 'js')).replace('/var/run/nats/nats.pid', join(dir, 'nats.pid')));
      expect(natsAccepts(join(dir, 'nats.conf'), { POD_NAME: 'relay-nats-0', ROUTE_PASSWORD: 'p', ROUTE_URL_0: 'nats://127.0.0.1:1', ROUTE_URL_1: 'nats://127.0.0.1:2', ROUTE_URL_2: 'nats://127.0.0.1:3' })).toMatchObject({ ok: true });
      const nodes: { client: number; route: number; monitor: number }[] = [];
      for (let i = 0; i < 4; i++) nodes.push({ client: await freePort(), route: await freePort(), monitor: await freePort() });
      const env = (i: number, password: string) => ({
        POD_NAME: `relay-nats-${i}`,
        ROUTE_PASSWORD: password,
        ...Object.fromEntries(nodes.slice(0, 3).map((n, k) => [`ROUTE_URL_${k}`, `nats://route:${password}@127.0.0.1:${n.route}`])),
      });
      const start = async (i: number, password: string) => {
        const n = nodes[i];
        const file = join(dir, `nats-${i}.conf`);
        // Ports are rewritten in the file, not given as flags: a --cluster flag would replace the
        // cluster block's authorization and hide exactly what this test checks.
        const local = conf
          .replace('/data/jetstream', join(dir, `store-${i}`))
          .replace('/var/run/nats/nats.pid', join(dir, `nats-${i}.pid`))
          .replace(/^port: 4222$/m, `host: 127.0.0.1\nport: ${n.client}`)
          .replace(/^http_port: 8222$/m, `http: "127.0.0.1:${n.monitor}"`)
          .replace(/^ {2}port: 6222$/m, `  host: 127.0.0.1\n  port: ${n.route}`);
        expect(local).not.toMatch(/4222|6222|8222/);
        writeFileSync(file, local);
        const args = ['-c', file];
        // Ready = listening: /healthz waits for a JetStream meta leader, i.e. for the other nodes.
        const server = new ChildServer(`nats ${i}`, NATS, args, n.client, () => portOpen(n.client), env(i, password));
        servers.push(server);
        await server.start();
      };
      await Promise.all([0, 1, 2].map((i) => start(i, 'right')));
      const routes = async (i: number) => ((await (await fetch(`http://127.0.0.1:${nodes[i].monitor}/routez`)).json()) as { num_routes: number }).num_routes;
      await waitFor(async () => (await routes(0)) >= 2 && (await routes(1)) >= 2 && (await routes(2)) >= 2, { what: 'three nodes routed', timeoutMs: 20000 });
      // With the routes up, JetStream elects its meta leader and every node turns healthy.
      for (const n of nodes.slice(0, 3)) await waitFor(async () => (await httpStatus(`http://127.0.0.1:${n.monitor}/healthz`)) === 200, { what: 'JetStream healthy', timeoutMs: 20000 });
      // A fourth server with the wrong route password gets no route: the route authorization holds.
      await start(3, 'wrong');
      await waitFor(() => /Authorization Violation|authentication error/i.test(servers[3].log), { what: `the refused route; its log: ${servers[3].log.slice(-1500)}`, timeoutMs: 10000 });
      expect(await routes(3)).toBe(0);
    } finally {
      await Promise.all(servers.map((x) => x.kill()));
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);
});
