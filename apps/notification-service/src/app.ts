/**
 * notification-service: mentions of chat messages (read from the CHAT_MENTIONS stream), notifications sent by other services,
 * delivery to live connections and the pending store for offline users. Built by the service kit
 * like every service.
 */
import { PresenceOnline } from '@relay/contracts';
import { defineService, RecentIds, startService, type AppOf, type ServiceContext, type StartOptions } from '@relay/service-kit';
import { SERVICE_NAME, type NotificationConfig } from './config';
import { Delivery } from './delivery';
import { serveApi } from './handlers/api-handlers';
import { consumeMentions } from './handlers/mention-handler';
import { MentionBudget } from './mention-budget';
import { createNotificationMetrics } from './metrics';
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

export const notificationService = defineService({
  name: SERVICE_NAME,
  metricPrefix: 'relay_notification',
  redis: true,
  // Acknowledged data lives in Redis: no AOF, no start in production.
  durableRedis: true,
  setup(ctx: ServiceContext<NotificationConfig>) {
    const { config, logger } = ctx;
    const metrics = createNotificationMetrics(ctx.metrics);
    const store = new NotificationStore(ctx.redis, {
      pendingMaxPerUser: config.pendingMaxPerUser,
      pendingTtlMs: config.pendingTtlSec * 1000,
      idempotencyTtlMs: config.idempotencyTtlSec * 1000,
    });
    // The NATS request gives up a little after the breaker would, so the breaker's own timeout
    // decides, and NO_RESPONDERS (presence stopped) still comes back at once.
    const presenceCalls = ctx.client(
      { presenceOnline: { def: PresenceOnline, retry: 'none' } },
      { timeoutMs: config.presenceTimeoutMs, requestTimeoutMs: config.presenceTimeoutMs + 100, resetTimeoutMs: config.presenceBreakerResetMs },
    );
    const onlineCache = new OnlineCache({ maxUsers: config.onlineCacheMaxUsers, ttlMs: config.onlineCacheTtlMs });
    // Subscribed before serving, so the cache learns from the first event on.
    subscribeOnlineEvents({ consume: ctx.consume, cache: onlineCache, recentIds: new RecentIds(RECENT_EVENT_IDS), metrics });
    const online = createOnlineLookup(onlineCache, createPresenceClient(presenceCalls.presenceOnline, logger), metrics);
    const notifier = new Notifier(store, new Delivery(ctx.bus, online, metrics, logger), metrics);

    serveApi(ctx, {
      notifier,
      store,
      metrics,
      dataMaxBytes: config.dataMaxBytes,
      pendingDefaultLimit: Math.min(config.pendingMaxPerUser, PENDING_LIMIT_MAX),
    });
    const budget = new MentionBudget(ctx.redis, { perWindow: config.mentionBudgetPerMinute, windowMs: 60000 });
    const mentions = consumeMentions({ consumeDurable: ctx.consumeDurable, notifier, metrics, mentionsMaxPerMessage: config.mentionsMaxPerMessage, budget });
    return { store, notificationMetrics: metrics, mentions };
  },
});

/** The running service, and what `setup` returned (tests look into it). */
export type NotificationApp = AppOf<typeof notificationService>;

/** Builds the service without listening, so tests can run it (even two of it) in-process. */
export const buildApp = (config: NotificationConfig, opts: StartOptions = {}): Promise<NotificationApp> => startService(notificationService, config, opts);
