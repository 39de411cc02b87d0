/** notification-service's settings: environment variables with working local defaults. */
import { envInt, readBaseConfig, type BaseConfig } from '@relay/service-kit';

/** The service's name: logs, metrics, envelope source, error tables. */
export const SERVICE_NAME = 'notification-service';

export interface NotificationConfig extends BaseConfig {
  /** Pending notifications kept per user; past it the oldest are dropped (and counted). */
  pendingMaxPerUser: number;
  /** How long a pending notification waits for its user to come back, in seconds. */
  pendingTtlSec: number;
  /** How long an idempotency key (a message id + user, or a caller's idempotencyKey) is remembered. */
  idempotencyTtlSec: number;
  /** Distinct users one chat message may notify; further mentions in it are ignored (and counted). */
  mentionsMaxPerMessage: number;
  /** Mention notifications one sender may cause per minute, across messages and instances; 0 = no budget. */
  mentionBudgetPerMinute: number;
  /** Largest `data` object a NotifySend may carry, serialized as JSON, in bytes. */
  dataMaxBytes: number;
  /** Timeout of a PresenceOnline request; a slower presence-service counts as "unknown: store". */
  presenceTimeoutMs: number;
  /** How long the presence breaker stays open before it lets one trial request through. */
  presenceBreakerResetMs: number;
  /** Most users the online cache holds; past it the least recently used is dropped. */
  onlineCacheMaxUsers: number;
  /** How long an online/offline state (from an event or a PresenceOnline answer) is believed, in ms. */
  onlineCacheTtlMs: number;
}

/**
 * Environment variables with their defaults (docs/notifications.md "Configuration"):
 * the shared ones (NATS_URL, REDIS_URL, HEALTH_PORT 9103, INSTANCE_ID, LOG_LEVEL, ...) and
 * PENDING_MAX_PER_USER 500, PENDING_TTL_SEC 604800 (7 days), IDEMPOTENCY_TTL_SEC 86400,
 * MENTIONS_MAX_PER_MESSAGE 50, DATA_MAX_BYTES 4096, PRESENCE_TIMEOUT_MS 1000,
 * PRESENCE_BREAKER_RESET_MS 5000, ONLINE_CACHE_MAX_USERS 100000, ONLINE_CACHE_TTL_MS 60000.
 */
export function readConfig(env: Record<string, string | undefined> = process.env): NotificationConfig {
  return {
    ...readBaseConfig(SERVICE_NAME, 9103, env),
    pendingMaxPerUser: envInt('PENDING_MAX_PER_USER', 500, env, 1),
    pendingTtlSec: envInt('PENDING_TTL_SEC', 7 * 24 * 3600, env, 1),
    idempotencyTtlSec: envInt('IDEMPOTENCY_TTL_SEC', 24 * 3600, env, 1),
    mentionsMaxPerMessage: envInt('MENTIONS_MAX_PER_MESSAGE', 50, env, 1),
    mentionBudgetPerMinute: envInt('MENTION_BUDGET_PER_MINUTE', 120, env, 0),
    dataMaxBytes: envInt('DATA_MAX_BYTES', 4096, env, 2),
    presenceTimeoutMs: envInt('PRESENCE_TIMEOUT_MS', 1000, env, 1),
    presenceBreakerResetMs: envInt('PRESENCE_BREAKER_RESET_MS', 5000, env, 1),
    onlineCacheMaxUsers: envInt('ONLINE_CACHE_MAX_USERS', 100000, env, 1),
    onlineCacheTtlMs: envInt('ONLINE_CACHE_TTL_MS', 60000, env, 1),
  };
}
