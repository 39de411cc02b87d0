import { connect } from 'nats';
import pino from 'pino';
import { startNats, startRedis, waitFor, type TestNats, type TestRedis } from '@relay/testing';
import { ChatHistory } from '@relay/contracts';
import { Bus } from '@relay/bus';
import { readBaseConfig } from './env';
import { createServiceRuntime, type ServiceRuntime } from './service-runtime';

describe('service-runtime', () => {
  let nats: TestNats;
  let redis: TestRedis;
  let rt: ServiceRuntime;

  beforeAll(async () => {
    [nats, redis] = await Promise.all([startNats(), startRedis()]);
    const config = { ...readBaseConfig('kit-test', 0, { NATS_URL: nats.url, REDIS_URL: redis.url, INSTANCE_ID: 'kit-1' }) };
    rt = await createServiceRuntime({ config, useRedis: true, logger: pino({ level: 'silent' }) });
    await waitFor(() => rt.redis?.status === 'ready', { what: 'redis ready' });
  });

  afterAll(async () => {
    await rt?.shutdown.run('test end');
    await Promise.all([nats?.close(), redis?.close()]);
  });

  const readyz = async () => {
    const res = await rt.http.inject({ method: 'GET', url: '/readyz' });
    return { status: res.statusCode, body: res.json() as { checks: Record<string, boolean> } };
  };
  /** The value of `relay_ready{check}` in a fresh scrape. */
  const readyGauge = async (check: string) => {
    const text = (await rt.http.inject({ method: 'GET', url: '/metrics' })).body;
    const line = text.split('\n').find((l) => l.startsWith('relay_ready{') && l.includes(`check="${check}"`));
    return line === undefined ? undefined : Number(line.split(' ').pop());
  };

  it('service-runtime - healthz, readyz and metrics answer', async () => {
    expect((await rt.http.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await readyz()).status).toBe(200);
    const metrics = await rt.http.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('process_cpu_seconds_total');
    expect(metrics.body).toContain('relay_invalid_messages_total');
  });

  it('service-runtime - readyz turns 503 when Redis stops and 200 when it returns', async () => {
    await redis.server.kill();
    await waitFor(async () => (await readyz()).status === 503, { what: 'readyz 503', timeoutMs: 10000 });
    expect((await readyz()).body.checks).toMatchObject({ nats: true, redis: false });
    expect(await readyGauge('redis')).toBe(0);
    expect(await readyGauge('nats')).toBe(1);
    await redis.server.start();
    await waitFor(async () => (await readyz()).status === 200, { what: 'readyz 200 again', timeoutMs: 10000 });
    expect(await readyGauge('redis')).toBe(1);
  });

  it('service-runtime - readyz turns 503 while NATS is down and recovers after it restarts', async () => {
    await nats.server.kill();
    await waitFor(async () => (await readyz()).status === 503, { what: 'readyz 503 (nats)', timeoutMs: 10000 });
    await nats.server.start();
    await waitFor(async () => (await readyz()).status === 200, { what: 'readyz 200 (nats back)', timeoutMs: 15000 });
  });

  it('service-runtime - shutdown drains NATS so an in-flight request is still answered', async () => {
    const config = readBaseConfig('kit-drain', 0, { NATS_URL: nats.url, INSTANCE_ID: 'kit-2' });
    const other = await createServiceRuntime({ config, useRedis: false, logger: pino({ level: 'silent' }) });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started = false;
    other.bus.serve(ChatHistory, async () => {
      started = true;
      await gate;
      return { messages: [] };
    });
    await other.nc.flush();
    const client = await connect({ servers: nats.url });
    const bus = new Bus(client, { source: 'test', logger: pino({ level: 'silent' }) });
    const pending = bus.request(ChatHistory, { room: 'r', limit: 1 }, { timeoutMs: 5000 });
    await waitFor(() => started, { what: 'handler started' });
    const stopping = other.shutdown.run('test');
    release();
    await expect(pending).resolves.toEqual({ messages: [] });
    await stopping;
    expect(other.nc.isClosed()).toBe(true);
    await client.close();
  });
});
