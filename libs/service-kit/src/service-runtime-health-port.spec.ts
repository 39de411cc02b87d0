import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { freePort, startNats, type TestNats } from '@relay/testing';
import { readBaseConfig } from './env';
import { createServiceRuntime, type ServiceRuntime } from './service-runtime';

/** A public server (the gateway's) with HEALTH_PORT set apart: health and metrics only on the internal port. */
describe('service runtime with health on an internal port', () => {
  let nats: TestNats;
  let rt: ServiceRuntime;
  let publicPort: number;

  beforeAll(async () => {
    nats = await startNats();
    const healthPort = await freePort();
    const config = readBaseConfig('ws-gateway', 0, { ...nats.envFor('ws-gateway'), HEALTH_PORT: String(healthPort), INSTANCE_ID: 'gw-health-1' });
    const http = Fastify() as unknown as FastifyInstance;
    http.get('/hello', async () => ({ hello: 'world' }));
    rt = await createServiceRuntime({ config, useRedis: false, logger: pino({ level: 'silent' }), http, publicPort: 0 });
    publicPort = await rt.listen();
  });

  afterAll(async () => {
    await rt?.shutdown.run('test end');
    await nats?.close();
  });

  it('answers /readyz and /metrics on HEALTH_PORT and not on the public port', async () => {
    expect(rt.healthPort).toBe(rt.config.healthPort);
    expect(publicPort).not.toBe(rt.healthPort);
    const internal = `http://127.0.0.1:${rt.healthPort}`;
    const pub = `http://127.0.0.1:${publicPort}`;
    expect((await fetch(`${internal}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${internal}/metrics`)).text()).toContain('process_cpu_seconds_total');
    expect((await fetch(`${pub}/readyz`)).status).toBe(404);
    expect((await fetch(`${pub}/metrics`)).status).toBe(404);
    expect(await (await fetch(`${pub}/hello`)).json()).toEqual({ hello: 'world' });
  });

  it('keeps one server when HEALTH_PORT equals the public port (the default)', async () => {
    const config = readBaseConfig('ws-gateway', 0, { ...nats.envFor('ws-gateway'), INSTANCE_ID: 'gw-health-2' });
    const http = Fastify() as unknown as FastifyInstance;
    const one = await createServiceRuntime({ config, useRedis: false, logger: pino({ level: 'silent' }), http, publicPort: 0 });
    const port = await one.listen();
    expect(one.healthPort).toBe(port);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    await one.shutdown.run('test end');
  });
});
