import { createServiceRuntime, redisReady, Shutdown, type Logger, type ServiceRuntime } from '@relay/service-kit';
import type { PresenceConfig } from './config';
import { EventOutbox } from './event-outbox';
import { servePresence } from './presence-handlers';
import { createPresenceMetrics, type PresenceMetrics } from './presence-metrics';
import { PresenceStore } from './presence-store';
import { Sweeper } from './sweeper';

export interface PresenceApp {
  runtime: ServiceRuntime;
  store: PresenceStore;
  metrics: PresenceMetrics;
  /** Stop the sweeper, stop taking requests, finish the running ones, then close NATS and Redis. */
  shutdown: Shutdown;
  listen(): Promise<number>;
  close(): Promise<void>;
}

export interface BuildOptions {
  logger?: Logger;
}

/** Builds the service without listening, so tests can run it (several of it) in-process. */
export async function buildApp(config: PresenceConfig, opts: BuildOptions = {}): Promise<PresenceApp> {
  const runtime = await createServiceRuntime({ config, useRedis: true, logger: opts.logger });
  const { logger, bus } = runtime;
  if (!runtime.redis) throw new Error('presence-service needs Redis');
  // Start serving with Redis usable when it is there at all; when it is not, start anyway
  // (readiness says so, requests answer DEPENDENCY_DOWN) rather than crash-looping.
  if (!(await redisReady(runtime.redis, config.requestTimeoutMs))) logger.warn('redis not ready at start; serving anyway');
  const metrics = createPresenceMetrics(runtime.metrics);
  const store = new PresenceStore(runtime.redis, {
    keyPrefix: config.keyPrefix,
    tombstoneTtlMs: config.tombstoneTtlMs,
    gatewayLeaseMs: config.gatewayLeaseMs,
  });
  const outbox = new EventOutbox({
    bus,
    store,
    instanceId: config.instanceId,
    logger,
    metrics,
    graceMs: config.outboxGraceMs,
    lockMs: config.sweepIntervalMs,
  });
  servePresence({ bus, store, outbox, metrics, logger, leaseMs: config.gatewayLeaseMs, snapshotPartTtlMs: config.snapshotPartTtlMs });
  // The server knows our queue subscriptions once this returns: a request sent right after
  // buildApp (a restarted instance, a test) finds a responder instead of NO_RESPONDERS.
  await bus.flush();
  const sweeper = new Sweeper({ store, outbox, metrics, logger, intervalMs: config.sweepIntervalMs, batch: config.sweepBatch });
  sweeper.start();

  const shutdown = new Shutdown(logger, config.shutdownTimeoutMs);
  shutdown.add('sweeper', () => sweeper.stop());
  shutdown.add('requests', async () => {
    // Answer what is in flight, then publish the events those requests produced, then let the
    // runtime drain NATS and quit Redis.
    await bus.quiesce();
    await outbox.idle();
  });
  shutdown.add('runtime', () => runtime.shutdown.run('presence-service stopping'));

  return {
    runtime,
    store,
    metrics,
    shutdown,
    listen: () => runtime.listen(),
    close: () => shutdown.run('close'),
  };
}
