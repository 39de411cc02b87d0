import { readConfig, type GatewayConfig } from '../src/config';
import { buildApp, type GatewayApp } from '../src/app';
import { natsEnvFor, signToken, startNats, TestClient, type TestNats } from '@relay/testing';
import { FakeServices } from './fake-services';

export const SECRET = 'gateway-unit-test-secret';

export interface RunningGateway {
  app: GatewayApp;
  port: number;
  url: string;
  http: string;
  config: GatewayConfig;
  connect(user: string): Promise<TestClient>;
  close(): Promise<void>;
}

/** An in-process gateway on a free port against the given NATS, with test-friendly settings. */
export async function startGateway(natsUrl: string, env: Record<string, string> = {}): Promise<RunningGateway> {
  const config = readConfig({
    ...natsEnvFor(natsUrl, 'ws-gateway'),
    PORT: '0',
    JWT_SECRET: SECRET,
    INSTANCE_ID: `gw-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    LOG_LEVEL: 'silent',
    REQUEST_TIMEOUT_MS: '500',
    BREAKER_RESET_MS: '300',
    HEARTBEAT_INTERVAL_MS: '60000',
    WEB_ROOT: '/nonexistent-web-root',
    ...env,
  });
  const app = await buildApp(config);
  const port = await app.listen();
  const url = `ws://127.0.0.1:${port}/ws`;
  const clients: TestClient[] = [];
  return {
    app,
    port,
    url,
    http: `http://127.0.0.1:${port}`,
    config,
    async connect(user: string) {
      const c = await TestClient.connect(url, signToken(user, SECRET));
      clients.push(c);
      return c;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await app.shutdown.run('test done');
    },
  };
}

export interface GatewayWorld {
  readonly nats: TestNats;
  /** Fails when the world was set up with `fakeServices: false`. */
  readonly fake: FakeServices;
  /** The shared gateway; fails when the world was set up with `gateway: false`. */
  readonly gw: RunningGateway;
}

export interface GatewayWorldOptions {
  /** Start the shared gateway (default true); specs that need one gateway per test say false. */
  gateway?: boolean;
  /** Start the fake services (default true); false leaves the gateway with nobody to answer. */
  fakeServices?: boolean;
}

/**
 * One NATS, the fake services and a gateway (with `env` on top of the test settings) for the
 * enclosing describe: registers its beforeAll/afterAll and returns getters, read inside tests.
 * Torn down in reverse order, so the gateway drains while NATS is still up.
 */
export function useGatewayWorld(env: Record<string, string> = {}, opts: GatewayWorldOptions = {}): GatewayWorld {
  let nats: TestNats | undefined;
  let fake: FakeServices | undefined;
  let gw: RunningGateway | undefined;

  beforeAll(async () => {
    nats = await startNats();
    if (opts.fakeServices !== false) fake = await FakeServices.start(nats.url);
    if (opts.gateway !== false) gw = await startGateway(nats.url, env);
  });

  afterAll(async () => {
    await gw?.close();
    await fake?.close();
    await nats?.close();
  });

  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`gateway world: no ${what} (read it inside a test or hook, and check the options)`);
    return value;
  };
  return {
    get nats() {
      return started(nats, 'NATS');
    },
    get fake() {
      return started(fake, 'fake services');
    },
    get gw() {
      return started(gw, 'shared gateway');
    },
  };
}
