/**
 * presence-service: sessions and room membership across gateways, gateway leases, and the
 * member and online/offline events (through an outbox in Redis). Built by the service kit like
 * every service.
 */
import { PresenceStream } from '@relay/contracts';
import { defineService, startService, type AppOf, type ServiceContext, type StartOptions } from '@relay/service-kit';
import { SERVICE_NAME, type PresenceConfig } from './config';
import { EventOutbox } from './event-outbox';
import { createPresenceMetrics } from './metrics';
import { serveOnlineUsers } from './online-users';
import { servePresence } from './presence-handlers';
import { PresenceStore } from './presence-store';
import { Sweeper } from './sweeper';

export const presenceService = defineService({
  name: SERVICE_NAME,
  metricPrefix: 'relay_presence',
  redis: true,
  // Serving with Redis down answers DEPENDENCY_DOWN; a short wait is enough (leases are short).
  redisStartWaitMs: (config) => config.requestTimeoutMs,
  async setup(ctx: ServiceContext<PresenceConfig>) {
    const { config, logger } = ctx;
    const metrics = createPresenceMetrics(ctx.metrics);
    const store = new PresenceStore(ctx.redis, {
      keyPrefix: config.keyPrefix,
      tombstoneTtlMs: config.tombstoneTtlMs,
      gatewayLeaseMs: config.gatewayLeaseMs,
    });
    await ctx.ensureStream(PresenceStream);
    const outbox = new EventOutbox({
      ackTimeoutMs: config.requestTimeoutMs,
      bus: ctx.bus,
      store,
      instanceId: config.instanceId,
      logger,
      metrics,
      graceMs: config.outboxGraceMs,
      lockMs: config.sweepIntervalMs,
    });
    servePresence(ctx, {
      store,
      outbox,
      metrics,
      leaseMs: config.gatewayLeaseMs,
      snapshotPartTtlMs: config.snapshotPartTtlMs,
    });
    serveOnlineUsers(ctx, store);
    const sweeper = new Sweeper({ store, outbox, metrics, logger, intervalMs: config.sweepIntervalMs, batch: config.sweepBatch });
    sweeper.start();
    ctx.runtime.onStop('sweeper', () => sweeper.stop());
    // The events the last requests produced go out before NATS drains.
    ctx.runtime.afterRequests('outbox', () => outbox.idle());
    return { store, presenceMetrics: metrics };
  },
  describe: (config) => ({ leaseMs: config.gatewayLeaseMs, sweepIntervalMs: config.sweepIntervalMs }),
});

/** The running service, and what `setup` returned (tests look into it). */
export type PresenceApp = AppOf<typeof presenceService>;

/** Builds the service without listening, so tests can run it (several of it) in-process. */
export const buildApp = (config: PresenceConfig, opts: StartOptions = {}): Promise<PresenceApp> => startService(presenceService, config, opts);
