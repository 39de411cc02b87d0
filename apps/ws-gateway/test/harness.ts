import { readConfig, type GatewayConfig } from '../src/config';
import { buildApp, type GatewayApp } from '../src/app';
import { signToken, TestClient } from '@relay/testing';

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
    NATS_URL: natsUrl,
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
