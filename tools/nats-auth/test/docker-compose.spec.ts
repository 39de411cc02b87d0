import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * docker-compose.yml as a reviewer reads it: only the gateways' WebSocket ports are published
 * beyond the host, every service mounts its own NATS seed, Redis wants a password. When the
 * docker-compose binary is installed, `docker-compose config` also validates the file.
 */
const ROOT = join(__dirname, '../../..');
const FILE = join(ROOT, 'docker-compose.yml');
const text = readFileSync(FILE, 'utf8');

/** Every `- "host:container"` entry of a `ports:` list, with the service it belongs to. */
function publishedPorts(): Array<{ service: string; mapping: string }> {
  const out: Array<{ service: string; mapping: string }> = [];
  let service = '';
  let inPorts = false;
  for (const line of text.split('\n')) {
    const svc = /^ {2}([a-z0-9-]+):\s*$/.exec(line);
    if (svc) service = svc[1];
    if (/^\s+ports:\s*$/.test(line)) {
      inPorts = true;
      continue;
    }
    const entry = /^\s+- "([^"]+)"/.exec(line);
    if (inPorts && entry) out.push({ service, mapping: entry[1] });
    else if (inPorts && !/^\s*(#.*)?$/.test(line)) inPorts = false;
  }
  return out;
}

function composeBinary(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v docker-compose'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

describe('docker-compose.yml', () => {
  it('publishes NATS, its monitor, Redis and every health port on 127.0.0.1 only; the gateways WebSocket ports publicly', () => {
    const ports = publishedPorts();
    expect(ports.length).toBeGreaterThanOrEqual(9);
    const publicOnes = ports.filter((p) => !p.mapping.startsWith('127.0.0.1:'));
    expect(publicOnes).toEqual([
      { service: 'ws-gateway-1', mapping: '8080:8080' },
      { service: 'ws-gateway-2', mapping: '8081:8080' },
    ]);
  });

  it('gives each service its own NATS seed and the gateways an internal health port', () => {
    for (const role of ['chat-service', 'presence-service', 'notification-service', 'ws-gateway']) {
      expect(text).toContain(`./deploy/nats-auth/generated/${role}.nk:/run/secrets/nats.nk:ro`);
    }
    expect(text).toContain('./deploy/nats-auth/generated/auth.conf:/etc/nats/auth.conf:ro');
    expect(text).toMatch(/HEALTH_PORT: "9100"/);
    expect(text).toMatch(/127\.0\.0\.1:9100\/readyz/);
  });

  const bin = composeBinary();
  (bin ? it : it.skip)('passes `docker-compose config` with the secrets set, and names REDIS_PASSWORD without it', () => {
    const env = { ...process.env, REDIS_PASSWORD: 'compose-check', JWT_SECRET: 'compose-check-secret' };
    const rendered = execFileSync(bin as string, ['-f', FILE, 'config'], { cwd: ROOT, env, encoding: 'utf8' });
    expect(rendered).toContain('redis://relay:compose-check@redis:6379');
    const without = { ...process.env };
    delete without.REDIS_PASSWORD;
    const refused = spawnSync(bin as string, ['-f', FILE, 'config'], { cwd: ROOT, env: without, encoding: 'utf8' });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('REDIS_PASSWORD');
  });
});
