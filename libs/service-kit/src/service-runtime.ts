/**
 * What every service process has, made the same way for all: config, logger, metrics, the NATS
 * connection and Bus, Redis when the service owns state, breakers, the health routes, and one
 * ordered shutdown. defineService/startService build on it.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { NatsConnection } from 'nats';
import { Bus } from '@relay/bus';
import { inboxPrefixFor, isBusRole } from '@relay/contracts';
import { BreakerRegistry } from './breaker';
import { refuseUnsafeConnections } from './connection-settings';
import type { BaseConfig } from './env';
import { healthRoutes, type ReadinessCheck } from './health-routes';
import { createLogger, type Logger } from './logger';
import { createMetrics, type ServiceMetrics } from './metrics';
import { connectNats, natsUsable } from './nats-connection';
import { limitOutboundWhileDisconnected } from './nats-outbound-limit';
import { coalesceNatsWrites } from './nats-write-coalescing';
import { connectRedis, type Redis } from './redis-connection';
import { Shutdown } from './shutdown';
import { startTracing } from './tracing-sdk';

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
  /** Starts the HTTP server(s); returns the bound (public) port (0 in config picks a free one). */
  listen(): Promise<number>;
  /** A step run first on shutdown, before HTTP closes: stop timers and background work. */
  onStop(name: string, run: ShutdownStep): void;
  /** A step run once every request and event in flight is handled, before NATS drains. */
  afterRequests(name: string, run: ShutdownStep): void;
  /** Where /healthz, /readyz and /metrics answer, once listening (an internal port when separate). */
  healthPort?: number;
}

type ShutdownStep = () => Promise<void> | void;

export interface RuntimeOptions {
  config: BaseConfig;
  /** Services that own state connect to Redis; the gateway does not. */
  useRedis: boolean;
  logger?: Logger;
  /** Extra readiness checks beside NATS (and Redis). */
  checks?: Record<string, ReadinessCheck>;
  /** Reuse an HTTP server (the gateway's public WebSocket server). */
  http?: FastifyInstance;
  /**
   * The port of `http`. When it differs from config.healthPort, /healthz, /readyz and /metrics go
   * on their own server at healthPort (an internal port), not on the public one.
   */
  publicPort?: number;
}

export async function createServiceRuntime(opts: RuntimeOptions): Promise<ServiceRuntime> {
  const { config } = opts;
  const logger =
    opts.logger ??
    createLogger({ service: config.service, instanceId: config.instanceId, level: config.logLevel, pretty: config.logPretty });
  const metrics = createMetrics(config.service, config.instanceId);
  const shutdown = new Shutdown(logger, config.shutdownTimeoutMs);
  const breakers = new BreakerRegistry();
  // Before the Bus is made: the Bus decides once whether it traces (bus-tracing.ts).
  const tracing = startTracing({ settings: config.tracing, service: config.service, instanceId: config.instanceId, logger });

  refuseUnsafeConnections({ ...config, useRedis: opts.useRedis });
  const nc = await connectNats({
    url: config.natsUrl,
    name: config.instanceId,
    logger,
    auth: config.natsAuth,
    tls: config.natsTls,
    inboxPrefix: isBusRole(config.service) ? inboxPrefixFor(config.service) : undefined,
  });
  const limited = limitOutboundWhileDisconnected(nc, {
    maxBytes: config.natsOutboundBufferBytes,
    service: config.service,
    onRefused: () => metrics.natsPublishesRefused.inc(),
  });
  if (!limited) logger.warn('this nats.js exposes no outbound buffer: publishes while NATS is away are not bounded');
  if (!coalesceNatsWrites(nc)) logger.warn('this nats.js exposes no flush hook: NATS writes are not coalesced per event-loop iteration');
  const redis = opts.useRedis ? connectRedis({ url: config.redisUrl, logger, tls: config.redisTls }) : undefined;
  const bus = new Bus(nc, {
    source: `${config.service}/${config.instanceId}`,
    logger,
    onInvalid: (info) => metrics.invalidMessages.inc({ type: info.type }),
    onRequest: (info) => metrics.natsRequestSeconds.observe({ type: info.type, outcome: info.outcome }, info.ms / 1000),
  });

  const newServer = () => Fastify({ loggerInstance: logger.child({ component: 'http' }, { level: 'warn' }) }) as unknown as FastifyInstance;
  const http: FastifyInstance = opts.http ?? newServer();
  const separateHealth = opts.http !== undefined && opts.publicPort !== undefined && opts.publicPort !== config.healthPort;
  const healthHttp = separateHealth ? newServer() : http;
  const checks: Record<string, ReadinessCheck> = { nats: () => natsUsable(nc), ...(opts.checks ?? {}) };
  if (redis) checks.redis = () => redis.status === 'ready';
  await healthHttp.register(healthRoutes, { checks, registry: metrics.registry, details: () => ({ breakers: breakers.states() }) });

  const boundPort = (server: FastifyInstance, fallback: number) => {
    const addr = server.server.address();
    return typeof addr === 'object' && addr ? addr.port : fallback;
  };
  let listening = false;
  let healthListening = false;
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
      if (separateHealth) {
        await healthHttp.listen({ port: config.healthPort, host: config.host });
        healthListening = true;
        runtime.healthPort = boundPort(healthHttp, config.healthPort);
      }
      const port = separateHealth ? (opts.publicPort as number) : config.healthPort;
      await http.listen({ port, host: config.host });
      listening = true;
      const bound = boundPort(http, port);
      if (!separateHealth) runtime.healthPort = bound;
      return bound;
    },
    onStop: (name, run) => shutdown.insertBefore('http', name, run),
    afterRequests: (name, run) => shutdown.insertBefore('nats', name, run),
  };
  // The order is the order of a clean stop: background work stops, no new HTTP, the requests in
  // flight finish and get answered (and what they started, e.g. an outbox, is flushed), then NATS
  // drains, then Redis, whose commands those requests needed.
  shutdown.add('http', async () => {
    if (listening || opts.http) await http.close();
    if (healthListening) await healthHttp.close();
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
  // Last: the spans of everything above are exported before the process exits.
  if (tracing) shutdown.add('tracing', () => tracing.shutdown());
  return runtime;
}

