import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { requireServerBinary } from '@relay/local-servers';
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

  it('nats configs - the Kubernetes NATS config parses with the real nats-server', () => {
    const conf = find(validateOverlays('deploy/k8s/overlays/prod').report['deploy/k8s/overlays/prod'].objects, 'ConfigMap', 'relay-nats-config').data['nats.conf'] as string;
    const dir = mkdtempSync(join(tmpdir(), 'relay-nats-conf-'));
    try {
      writeFileSync(join(dir, 'nats.conf'), conf);
      expect(natsAccepts(join(dir, 'nats.conf'), { POD_NAME: 'relay-nats-0', ROUTE_PASSWORD: 'check' })).toMatchObject({ ok: true });
      // It can fail: a setting the server refuses (as it refused a 20 s lame duck) is caught.
      writeFileSync(join(dir, 'bad.conf'), conf.replace(/lame_duck_duration: \S+/, 'lame_duck_duration: 5s'));
      expect(natsAccepts(join(dir, 'bad.conf'), { POD_NAME: 'relay-nats-0', ROUTE_PASSWORD: 'check' }).ok).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
