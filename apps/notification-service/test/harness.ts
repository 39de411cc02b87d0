import { PresenceOnline } from '@relay/contracts';
import { Bus } from '@relay/bus';
import { connectNats, createLogger, redisReady, type ServiceRuntime } from '@relay/service-kit';
import { startNats, startRedis, type TestNats, type TestRedis } from '@relay/testing';
import type { NatsConnection } from 'nats';
import { buildApp } from '../src/app';
import { readConfig } from '../src/config';

export const silent = createLogger({ service: 'notification-test', instanceId: 'test', level: 'silent' });

/** A private NATS and Redis, a test-side Bus, and notification-service instances in-process. */
export class Harness {
  readonly apps: ServiceRuntime[] = [];
  /** Users the fake presence-service calls online. */
  readonly online = new Set<string>();

  private constructor(
    readonly nats: TestNats,
    readonly redis: TestRedis,
    readonly nc: NatsConnection,
    readonly bus: Bus,
  ) {}

  static async start(): Promise<Harness> {
    const [nats, redis] = await Promise.all([startNats(), startRedis()]);
    const nc = await connectNats({ url: nats.url, name: 'test', logger: silent });
    return new Harness(nats, redis, nc, new Bus(nc, { source: 'test/harness', logger: silent }));
  }

  /** One more notification-service instance; `env` overrides its configuration. */
  async addApp(env: Record<string, string> = {}): Promise<ServiceRuntime> {
    const config = readConfig({
      ...this.nats.envFor('notification-service'),
      REDIS_URL: this.redis.url,
      HEALTH_PORT: '0',
      INSTANCE_ID: `notif-${this.apps.length + 1}`,
      PRESENCE_TIMEOUT_MS: '300',
      ...env,
    });
    const app = await buildApp(config, { logger: silent });
    this.apps.push(app);
    if (!app.redis || !(await redisReady(app.redis, 5000))) throw new Error('redis not ready');
    await app.nc.flush();
    return app;
  }

  /** Answers PresenceOnline from `online`, as presence-service would. */
  fakePresence(): { stop(): Promise<void> } {
    const sub = this.bus.serve(PresenceOnline, async ({ users }) => ({ online: users.filter((u) => this.online.has(u)) }));
    return { stop: () => sub.drain() };
  }

  /** Sum of a metric's values over every instance, optionally for one label set. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    let total = 0;
    for (const app of this.apps) {
      const m = app.metrics.registry.getSingleMetric(name);
      if (!m) continue;
      for (const v of (await m.get()).values) {
        if (Object.entries(labels).every(([k, want]) => v.labels[k] === want)) total += v.value;
      }
    }
    return total;
  }

  /**
   * After it, every message NATS routed to an instance before the call has reached that
   * instance's handlers: a PONG comes back on a connection only after what was queued before it.
   */
  async barrier(): Promise<void> {
    await this.nc.flush();
    await Promise.all(this.apps.map((a) => a.nc.flush()));
  }

  async close(): Promise<void> {
    for (const app of this.apps) await app.shutdown.run('test over');
    await this.nc.drain();
    await Promise.all([this.nats.close(), this.redis.close()]);
  }
}
