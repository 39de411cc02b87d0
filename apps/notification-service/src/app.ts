import { createServiceRuntime, RecentIds, type Logger, type ServiceRuntime } from '@relay/service-kit';
import type { NotificationConfig } from './config';
import { Delivery } from './delivery';
import { serveApi } from './handlers/api-handlers';
import { subscribeMentions } from './handlers/mention-handler';
import { notificationMetrics } from './metrics';
import { NotificationStore } from './notification-store';
import { Notifier } from './notifier';
import { OnlineCache } from './online-cache';
import { subscribeOnlineEvents } from './online-events';
import { createOnlineLookup } from './online-lookup';
import { createPresenceClient } from './presence-client';

/** NotifyPending's schema allows at most 1000 per request. */
const PENDING_LIMIT_MAX = 1000;
/**
 * Presence event ids remembered for deduplication. docs/presence.md asks for a few minutes;
 * the count bound keeps memory flat under a connection storm (an id is ~30 bytes).
 */
const RECENT_EVENT_IDS = { maxIds: 50_000, windowMs: 5 * 60_000 };

export interface BuildOptions {
  /** A logger of the test's choosing (e.g. silent); the config's otherwise. */
  logger?: Logger;
}

/** Builds the service without listening, so tests can run it (even two of it) in-process. */
export async function buildApp(config: NotificationConfig, opts: BuildOptions = {}): Promise<ServiceRuntime> {
  const runtime = await createServiceRuntime({ config, useRedis: true, logger: opts.logger });
  const { bus, logger, redis } = runtime;
  if (!redis) throw new Error('notification-service needs Redis');

  const metrics = notificationMetrics(runtime.metrics);
  const store = new NotificationStore(redis, {
    pendingMaxPerUser: config.pendingMaxPerUser,
    pendingTtlMs: config.pendingTtlSec * 1000,
    idempotencyTtlMs: config.idempotencyTtlSec * 1000,
  });
  const presence = createPresenceClient(
    bus,
    { timeoutMs: config.presenceTimeoutMs, resetTimeoutMs: config.presenceBreakerResetMs },
    { logger, metrics: runtime.metrics, registry: runtime.breakers },
  );
  const onlineCache = new OnlineCache({ maxUsers: config.onlineCacheMaxUsers, ttlMs: config.onlineCacheTtlMs });
  // Subscribed before serving, so the cache learns from the first event on.
  subscribeOnlineEvents({ bus, cache: onlineCache, recentIds: new RecentIds(RECENT_EVENT_IDS), metrics });
  const online = createOnlineLookup(onlineCache, presence, metrics);
  const notifier = new Notifier(store, new Delivery(bus, online, metrics, logger), metrics);

  serveApi({
    bus,
    notifier,
    store,
    metrics,
    dataMaxBytes: config.dataMaxBytes,
    pendingDefaultLimit: Math.min(config.pendingMaxPerUser, PENDING_LIMIT_MAX),
  });
  subscribeMentions({ bus, notifier, metrics, logger, mentionsMaxPerMessage: config.mentionsMaxPerMessage });
  return runtime;
}
