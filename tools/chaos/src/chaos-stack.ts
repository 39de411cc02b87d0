/**
 * The private system a chaos run attacks: nats-server (one, or a cluster), redis-server with its
 * AOF fsynced every second (as deployments run it), and the built apps as real processes on free
 * loopback ports, two gateways and two chat-services. It knows how to kill, hang and restart each
 * part and when everything is ready again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireServerBinary, serverArgs } from '@relay/local-servers';
import {
  AppProcess,
  ChildServer,
  freePort,
  httpStatus,
  portOpen,
  startNats,
  startNatsCluster,
  TEST_JWT_SECRET,
  type AppName,
  type TestNats,
  type TestNatsCluster,
} from '@relay/testing';

/** NATS as the stack sees it: URLs for an app, health of every node, and the nodes themselves. */
interface NatsSide {
  nodes: ChildServer[];
  monitorUrls: string[];
  /** Environment that connects app `name` (instance `i`) to NATS, credentials included when the harness has them. */
  envFor(name: AppName, i: number): Record<string, string>;
  close(): Promise<void>;
}

/** The harness may give each app its own NATS credentials; use them when it does. */
type MaybeCredentials = { envFor?: (name: AppName) => Record<string, string> };

function singleNats(nats: TestNats): NatsSide {
  return {
    nodes: [nats.server],
    monitorUrls: [nats.monitorUrl],
    envFor: (name) => (nats as TestNats & MaybeCredentials).envFor?.(name) ?? { NATS_URL: nats.url },
    close: () => nats.close(),
  };
}

function clusterNats(cluster: TestNatsCluster): NatsSide {
  return {
    nodes: cluster.nodes.map((n) => n.server),
    monitorUrls: cluster.nodes.map((n) => n.monitorUrl),
    // Apps start on different nodes, and fail over through the rest of the list.
    envFor: (name, i) => ({ ...((cluster as TestNatsCluster & MaybeCredentials).envFor?.(name) ?? {}), NATS_URL: cluster.urlList(i) }),
    close: () => cluster.close(),
  };
}

export class ChaosStack {
  readonly apps: Record<AppName, AppProcess[]> = { 'ws-gateway': [], 'chat-service': [], 'presence-service': [], 'notification-service': [] };
  private started = 0;

  private constructor(
    readonly nats: NatsSide,
    readonly redis: ChildServer,
    private readonly redisDir: string,
  ) {}

  static async start(opts: { natsCluster: number; gateways?: number; chat?: number }): Promise<ChaosStack> {
    const [natsSide, redis] = await Promise.all([
      opts.natsCluster > 0 ? startNatsCluster({ nodes: opts.natsCluster }).then(clusterNats) : startNats({ jetstream: true }).then(singleNats),
      ChaosStack.startDurableRedis(),
    ]);
    const stack = new ChaosStack(natsSide, redis.server, redis.dir);
    try {
      await Promise.all([
        ...Array.from({ length: opts.chat ?? 2 }, () => stack.add('chat-service')),
        stack.add('presence-service'),
        stack.add('notification-service'),
      ]);
      for (let i = 0; i < (opts.gateways ?? 2); i++) await stack.add('ws-gateway');
    } catch (err) {
      await stack.close();
      throw err;
    }
    return stack;
  }

  /** redis-server with AOF, fsync every second, in a folder that outlives restarts of the process. */
  private static async startDurableRedis(): Promise<{ server: ChildServer; dir: string }> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'relay-chaos-redis-'));
    // Later arguments win in redis-server: the private-server defaults, then durability on top.
    const args = [...serverArgs('redis', { port, dir }), '--appendonly', 'yes', '--appendfsync', 'everysec'];
    const server = new ChildServer('redis-server', requireServerBinary('redis'), args, port, () => portOpen(port));
    await server.start();
    return { server, dir };
  }

  get redisUrl(): string {
    return `redis://127.0.0.1:${this.redis.port}`;
  }

  gatewayUrls(): string[] {
    return this.apps['ws-gateway'].map((g) => `ws://127.0.0.1:${g.port}/ws`);
  }

  private async add(name: AppName): Promise<AppProcess> {
    const port = await freePort();
    const list = this.apps[name];
    const index = this.started++;
    const app = new AppProcess(name, {
      port,
      readyTimeoutMs: 60000,
      env: {
        ...this.nats.envFor(name, index),
        REDIS_URL: this.redisUrl,
        JWT_SECRET: TEST_JWT_SECRET,
        AUTH_DEV_TOKENS: '1',
        INSTANCE_ID: `${name === 'ws-gateway' ? 'gw' : name.split('-')[0]}-${list.length + 1}-${port}`,
        LOG_LEVEL: 'warn',
        ...(name === 'ws-gateway' ? { PORT: String(port) } : { HEALTH_PORT: String(port) }),
      },
    });
    list.push(app);
    await app.start();
    return app;
  }

  /** Every app answers /readyz 200, every NATS node /healthz 200, Redis accepts connections. */
  async allReady(): Promise<boolean> {
    const apps = Object.values(this.apps).flat();
    const checks = await Promise.all([
      ...apps.map(async (a) => a.running && (await httpStatus(`http://127.0.0.1:${a.port}/readyz`)) === 200),
      ...this.nats.monitorUrls.map(async (u) => (await httpStatus(`${u}/healthz`)) === 200),
      portOpen(this.redis.port),
    ]);
    return checks.every(Boolean);
  }

  /** Names of what is not ready, for a clear error when recovery times out. */
  async notReady(): Promise<string[]> {
    const out: string[] = [];
    for (const a of Object.values(this.apps).flat()) {
      if (!a.running || (await httpStatus(`http://127.0.0.1:${a.port}/readyz`)) !== 200) out.push(`${a.name}:${a.port}`);
    }
    for (const u of this.nats.monitorUrls) if ((await httpStatus(`${u}/healthz`)) !== 200) out.push(`nats ${u}`);
    if (!(await portOpen(this.redis.port))) out.push('redis');
    return out;
  }

  /** The last log lines of every app, for the report of a failed run. */
  logs(): string {
    return Object.values(this.apps)
      .flat()
      .map((a) => `--- ${a.name}:${a.port}\n${a.logs.slice(-2000)}`)
      .join('\n');
  }

  /** Kills every process (SIGKILL also ends a stopped one) and removes the Redis folder. */
  async close(): Promise<void> {
    const apps = Object.values(this.apps).flat();
    for (const a of apps) if (a.pid !== undefined && a.running) signal(a.pid, 'SIGCONT');
    await Promise.all(apps.map((a) => a.kill()));
    await Promise.all([this.nats.close(), this.redis.kill()]);
    rmSync(this.redisDir, { recursive: true, force: true });
  }
}

/** Sends a signal to a process that may already be gone. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}
