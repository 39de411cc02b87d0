/**
 * What every service process has, made the same way for all: config, logger, metrics, the NATS
 * connection and Bus, Redis when the service owns state, breakers, the health routes, and one
 * ordered shutdown. defineService/startService build on it.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { NatsConnection } from 'nats';
import { Bus } from '@relay/bus';
import { BreakerRegistry } from './breaker';
import type { BaseConfig } from './env';
import { healthRoutes, type ReadinessCheck } from './health-routes';
import { createLogger, type Logger } from './logger';
import { createMetrics, type ServiceMetrics } from './metrics';
import { connectNats, natsUsable } from './nats-connection';
import { limitOutboundWhileDisconnected } from './nats-outbound-limit';
import { connectRedis, type Redis } from './redis-connection';
import { Shutdown } from './shutdown';

/** What every service process has: its connections, observability and an ordered shutdown. */
export interface ServiceRuntime {
  config: BaseConfig;
  logger: Logger;
  metrics: ServiceMetrics;
  nc: NatsConnection;
  redis?: Redis;
  bus: Bus;
  breakers: BreakerRegistry;
  http: FastifyInstance;
  shutdown: Shutdown;
  /** Starts the HTTP server; returns the bound port (0 in config picks a free one). */
  listen(): Promise<number>;
  /** A step run first on shutdown, before HTTP closes: stop timers and background work. */
  onStop(name: string, run: ShutdownStep): void;
  /** A step run once every request and event in flight is handled, before NATS drains. */
  afterRequests(name: string, run: ShutdownStep): void;
}

type ShutdownStep = () => Promise<void> | void;

export interface RuntimeOptions {
  config: BaseConfig;
  /** Services that own state connect to Redis; the gateway does not. */
  useRedis: boolean;
  logger?: Logger;
  /** Extra readiness checks beside NATS (and Redis). */
  checks?: Record<string, ReadinessCheck>;
  /** Reuse an HTTP server (the gateway serves health routes on its WebSocket port). */
  http?: FastifyInstance;
}

export async function createServiceRuntime(opts: RuntimeOptions): Promise<ServiceRuntime> {
  const { config } = opts;
  const logger =
    opts.logger ??
    createLogger({ service: config.service, instanceId: config.instanceId, level: config.logLevel, pretty: config.logPretty });
  const metrics = createMetrics(config.service, config.instanceId);
  const shutdown = new Shutdown(logger, config.shutdownTimeoutMs);
  const breakers = new BreakerRegistry();

  const nc = await connectNats({ url: config.natsUrl, name: config.instanceId, logger });
  const limited = limitOutboundWhileDisconnected(nc, {
    maxBytes: config.natsOutboundBufferBytes,
    service: config.service,
    onRefused: () => metrics.natsPublishesRefused.inc(),
  });
  if (!limited) logger.warn('this nats.js exposes no outbound buffer: publishes while NATS is away are not bounded');
  const redis = opts.useRedis ? connectRedis({ url: config.redisUrl, logger }) : undefined;
  const bus = new Bus(nc, {
    source: `${config.service}/${config.instanceId}`,
    logger,
    onInvalid: (info) => metrics.invalidMessages.inc({ type: info.type }),
    onRequest: (info) => metrics.natsRequestSeconds.observe({ type: info.type, outcome: info.outcome }, info.ms / 1000),
  });

  const http: FastifyInstance =
    opts.http ?? (Fastify({ loggerInstance: logger.child({ component: 'http' }, { level: 'warn' }) }) as unknown as FastifyInstance);
  const checks: Record<string, ReadinessCheck> = { nats: () => natsUsable(nc), ...(opts.checks ?? {}) };
  if (redis) checks.redis = () => redis.status === 'ready';
  await http.register(healthRoutes, { checks, registry: metrics.registry, details: () => ({ breakers: breakers.states() }) });

  let listening = false;
  const runtime: ServiceRuntime = {
    config,
    logger,
    metrics,
    nc,
    redis,
    bus,
    breakers,
    http,
    shutdown,
    async listen() {
      await http.listen({ port: config.healthPort, host: config.host });
      listening = true;
      const addr = http.server.address();
      return typeof addr === 'object' && addr ? addr.port : config.healthPort;
    },
    onStop: (name, run) => shutdown.insertBefore('http', name, run),
    afterRequests: (name, run) => shutdown.insertBefore('nats', name, run),
  };
  // The order is the order of a clean stop: background work stops, no new HTTP, the requests in
  // flight finish and get answered (and what they started, e.g. an outbox, is flushed), then NATS
  // drains, then Redis, whose commands those requests needed.
  shutdown.add('http', async () => {
    if (listening || opts.http) await http.close();
  });
  shutdown.add('breakers', () => breakers.shutdown());
  shutdown.add('requests', async () => {
    // Answer the requests in flight before the connection drains (see Bus.quiesce).
    await bus.quiesce();
  });
  shutdown.add('nats', async () => {
    if (!nc.isClosed()) await nc.drain();
  });
  shutdown.add('redis', async () => {
    if (redis && redis.status !== 'end') await redis.quit().catch(() => redis.disconnect());
  });
  return runtime;
}

