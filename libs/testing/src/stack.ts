import { AppProcess, type AppName } from './app-process';
import { signToken, TestClient } from './ws-client';
import { freePort } from './free-port';
import { startNats, startRedis, type TestNats, type TestRedis } from './infra';

export const TEST_JWT_SECRET = 'test-secret-for-e2e-only';

export interface StackOptions {
  gateways?: number;
  chat?: number;
  presence?: number;
  notification?: number;
  /** Extra environment for every app, e.g. shorter leases. */
  env?: Record<string, string>;
  /** Extra environment per app name. */
  appEnv?: Partial<Record<AppName, Record<string, string>>>;
  /** Redis with AOF (fsync every second), as deployments run it; restarts keep what was written. */
  durableRedis?: boolean;
}

/**
 * A whole system for one test file: a private nats-server and redis-server on free ports and
 * the built apps as real processes. Instances can be stopped, killed and added mid-test.
 */
export class TestStack {
  readonly gateways: AppProcess[] = [];
  readonly chat: AppProcess[] = [];
  readonly presence: AppProcess[] = [];
  readonly notification: AppProcess[] = [];
  private readonly clients: TestClient[] = [];

  private constructor(
    readonly nats: TestNats,
    readonly redis: TestRedis,
    private readonly opts: StackOptions,
  ) {}

  static async start(opts: StackOptions = {}): Promise<TestStack> {
    const [nats, redis] = await Promise.all([startNats({ jetstream: true }), startRedis({ durable: opts.durableRedis })]);
    const stack = new TestStack(nats, redis, opts);
    try {
      const starts: Promise<AppProcess>[] = [];
      for (let i = 0; i < (opts.chat ?? 1); i++) starts.push(stack.add('chat-service'));
      for (let i = 0; i < (opts.presence ?? 1); i++) starts.push(stack.add('presence-service'));
      for (let i = 0; i < (opts.notification ?? 1); i++) starts.push(stack.add('notification-service'));
      await Promise.all(starts);
      for (let i = 0; i < (opts.gateways ?? 1); i++) await stack.add('ws-gateway');
    } catch (err) {
      await stack.close();
      throw err;
    }
    return stack;
  }

  /** Starts one more instance of an app and waits until its /readyz answers 200. */
  async add(name: AppName, env: Record<string, string> = {}): Promise<AppProcess> {
    const port = await freePort();
    const list = this.listOf(name);
    const instanceId = `${name === 'ws-gateway' ? 'gw' : name.split('-')[0]}-${list.length + 1}-${port}`;
    const app = new AppProcess(name, {
      port,
      env: {
        // Each app connects as its own bus role, with the permissions the catalog gives it.
        ...this.nats.envFor(name),
        REDIS_URL: this.redis.url,
        JWT_SECRET: TEST_JWT_SECRET,
        AUTH_DEV_TOKENS: '1',
        INSTANCE_ID: instanceId,
        ...(name === 'ws-gateway' ? { PORT: String(port) } : { HEALTH_PORT: String(port) }),
        ...(this.opts.env ?? {}),
        ...(this.opts.appEnv?.[name] ?? {}),
        ...env,
      },
    });
    list.push(app);
    await app.start();
    return app;
  }

  wsUrl(gatewayIndex = 0): string {
    return `ws://127.0.0.1:${this.gateways[gatewayIndex].port}/ws`;
  }

  httpUrl(gatewayIndex = 0): string {
    return `http://127.0.0.1:${this.gateways[gatewayIndex].port}`;
  }

  /** A client of `user` on gateway `gatewayIndex`, signed with the stack's secret; closed by `close()`. */
  async connect(user: string, gatewayIndex = 0): Promise<TestClient> {
    const client = await TestClient.connect(this.wsUrl(gatewayIndex), signToken(user, TEST_JWT_SECRET));
    this.clients.push(client);
    return client;
  }

  /** Every app's recent logs, for a failing test's message. */
  logs(): string {
    return [...this.gateways, ...this.chat, ...this.presence, ...this.notification]
      .map((a) => `--- ${a.name}:${a.port}\n${a.logs.slice(-3000)}`)
      .join('\n');
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close()));
    const apps = [...this.gateways, ...this.chat, ...this.presence, ...this.notification];
    await Promise.all(apps.map((a) => a.kill()));
    await Promise.all([this.nats.close(), this.redis.close()]);
  }

  private listOf(name: AppName): AppProcess[] {
    switch (name) {
      case 'ws-gateway':
        return this.gateways;
      case 'chat-service':
        return this.chat;
      case 'presence-service':
        return this.presence;
      case 'notification-service':
        return this.notification;
    }
  }
}
