import { connect } from 'nats';
import pino from 'pino';
import { RoomMessage } from '@relay/contracts';
import { makeTestCerts, startNats, startRedis, uniqueName, waitFor, type TestCerts, type TestNats, type TestRedis } from '@relay/testing';
import { readBaseConfig } from './env';
import { createServiceRuntime, type ServiceRuntime } from './service-runtime';

/**
 * A service as it runs in production: NATS over TLS with its own nkey user, Redis over TLS with a
 * password, certificates made at test time. Without the CA the NATS server is not trusted.
 */
describe('service runtime over TLS with its own credentials', () => {
  let certs: TestCerts;
  let nats: TestNats;
  let redis: TestRedis;
  let rt: ServiceRuntime;
  const silent = pino({ level: 'silent' });

  beforeAll(async () => {
    certs = makeTestCerts();
    const tls = { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile, caFile: certs.caFile };
    [nats, redis] = await Promise.all([startNats({ harness: false, tls }), startRedis({ password: uniqueName('pw'), tls })]);
    const config = readBaseConfig('chat-service', 0, {
      ...nats.envFor('chat-service'),
      REDIS_URL: redis.url,
      REDIS_TLS_CA_FILE: certs.caFile,
      NODE_ENV: 'production',
      INSTANCE_ID: 'chat-tls-1',
    });
    rt = await createServiceRuntime({ config, useRedis: true, logger: silent });
    await waitFor(() => rt.redis?.status === 'ready', { what: 'redis ready over TLS', timeoutMs: 10000 });
  });

  afterAll(async () => {
    await rt?.shutdown.run('test end');
    await Promise.all([nats?.close(), redis?.close()]);
    certs?.remove();
  });

  it('is ready: NATS (tls://, nkey) and Redis (rediss://, password) both usable', async () => {
    expect(nats.url).toMatch(/^tls:\/\//);
    expect(redis.url).toMatch(/^rediss:\/\/:/);
    await waitFor(async () => (await rt.http.inject({ method: 'GET', url: '/readyz' })).statusCode === 200, { what: 'readyz 200', timeoutMs: 10000 });
    expect(await rt.redis?.ping()).toBe('PONG');
  });

  it('publishes what its role may, and the gateway role receives it over TLS', async () => {
    const gw = await connect(nats.optionsFor('ws-gateway'));
    const room = uniqueName('room');
    const got: string[] = [];
    gw.subscribe(`chat.v1.room.${room}.message`, { callback: (_e, m) => got.push(m.subject) });
    await gw.flush();
    rt.bus.publish(RoomMessage, { room }, { room, id: uniqueName('m'), seq: 1, from: 'u1', text: 'hi', ts: Date.now() });
    await waitFor(() => got.length === 1, { what: 'message over TLS' });
    await gw.close();
  });

  it('does not trust the NATS server without the CA', async () => {
    await expect(connect({ ...nats.optionsFor('chat-service'), tls: {}, reconnect: false, timeout: 1000 })).rejects.toThrow(/certificate/i);
  });

  it('a bus client without credentials is refused by the server', async () => {
    await expect(connect({ servers: nats.url, tls: { caFile: certs.caFile }, reconnect: false })).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' });
  });
});
