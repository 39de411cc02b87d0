import { AppProcess, freePort, startRedis, TestStack, uniqueName, waitFor } from '@relay/testing';

interface Connz {
  /** For an nkey user nats-server reports the public key as authorized_user. */
  connections: Array<{ name?: string; authorized_user?: string }>;
}

/**
 * The whole system on a NATS server with the generated users: every app process logs in with its
 * own role's nkey (not the test harness user) and a message still goes all the way round, so the
 * catalog's permissions are enough for the real apps.
 */
describe('apps on the bus with their own credentials', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start();
  }, 60000);

  afterAll(async () => {
    await stack?.close();
  });

  it('each app process is connected as its own role', async () => {
    const auth = stack.nats.auth;
    expect(auth).toBeDefined();
    const connz = (await (await fetch(`${stack.nats.monitorUrl}/connz?auth=true&limit=1000`)).json()) as Connz;
    const byRole = { 'ws-gateway': stack.gateways, 'chat-service': stack.chat, 'presence-service': stack.presence, 'notification-service': stack.notification };
    for (const [role, apps] of Object.entries(byRole)) {
      const connected = connz.connections.filter((c) => c.authorized_user === auth?.roles[role].publicKey);
      expect({ role, connections: connected.length }).toEqual({ role, connections: apps.length });
    }
    // Nothing else is on the bus: no app fell back to a connection without credentials (the test harness user).
    expect(connz.connections.filter((c) => c.authorized_user === auth?.harnessUser).map((c) => c.name)).toEqual([]);
    expect(connz.connections).toHaveLength(Object.values(byRole).flat().length);
  });

  it('a message sent through the gateway is stored and delivered under those permissions', async () => {
    const room = uniqueName('room');
    const alice = await stack.connect(uniqueName('alice'));
    await alice.request({ type: 'join', room });
    await alice.request({ type: 'send', room, text: 'hello over a least-privilege bus' });
    await waitFor(() => alice.frames.find((f) => f.type === 'message' && f.text === 'hello over a least-privilege bus'), { what: 'message delivered' });
  });

  it('with NODE_ENV=production a service refuses to start without NATS credentials or a Redis password, naming the setting', async () => {
    const noNatsKey = new AppProcess('chat-service', {
      port: await freePort(),
      env: { NATS_URL: stack.nats.url, REDIS_URL: 'redis://:pw@127.0.0.1:1', NODE_ENV: 'production', HEALTH_PORT: '0' },
      readyTimeoutMs: 10000,
    });
    await expect(noNatsKey.start()).rejects.toThrow(/NATS_URL has no credentials: set NATS_NKEY_SEED_FILE/);
    await noNatsKey.kill();

    const noRedisPassword = new AppProcess('notification-service', {
      port: await freePort(),
      env: { ...stack.nats.envFor('notification-service'), REDIS_URL: stack.redis.url, NODE_ENV: 'production', HEALTH_PORT: '0' },
      readyTimeoutMs: 10000,
    });
    await expect(noRedisPassword.start()).rejects.toThrow(/REDIS_URL has no password/);
    await noRedisPassword.kill();
  });

  it('with NODE_ENV=production chat-service refuses a Redis without the append-only file, naming the setting; AOF on, or REDIS_REQUIRE_AOF=false, starts', async () => {
    const forgetful = await startRedis({ password: 'pw-forgetful' });
    const durable = await startRedis({ password: 'pw-durable', durable: true });
    const chat = async (redisUrl: string, extra: Record<string, string> = {}) => {
      const port = await freePort();
      return new AppProcess('chat-service', {
        port,
        env: { ...stack.nats.envFor('chat-service'), REDIS_URL: redisUrl, NODE_ENV: 'production', HEALTH_PORT: String(port), INSTANCE_ID: uniqueName('chat-aof'), ...extra },
        readyTimeoutMs: 20000,
      });
    };
    const refused = await chat(forgetful.url);
    try {
      await expect(refused.start()).rejects.toThrow(/Redis runs without the append-only file: a Redis restart loses every acknowledged message.*REDIS_REQUIRE_AOF=false/s);
    } finally {
      await refused.kill();
    }
    for (const [url, extra] of [
      [durable.url, {}],
      [forgetful.url, { REDIS_REQUIRE_AOF: 'false' }],
    ] as const) {
      const app = await chat(url, extra);
      try {
        await app.start();
        expect(app.running).toBe(true);
      } finally {
        await app.kill();
      }
    }
    await forgetful.close();
    await durable.close();
  }, 90000);
});
