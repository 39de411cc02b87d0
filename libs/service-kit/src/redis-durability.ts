/**
 * Whether Redis keeps acknowledged writes across a restart. chat-service answers `sent` once a
 * message is in Redis and notification-service keeps pending notifications there: a Redis without
 * the append-only file forgets all of it at every restart. Room epochs make such a reset visible
 * to clients, but what was acknowledged is gone, so a service that stores acknowledged data
 * refuses such a Redis in production, and says so in development.
 */
import type { Cluster } from 'ioredis';
import { ConfigError } from './config-error';
import type { Logger } from './logger';
import type { Redis } from './redis-connection';

/** The setting that lets a production service run on a Redis without AOF (an operator's explicit choice). */
export const REQUIRE_AOF_SETTING = 'REDIS_REQUIRE_AOF';

/** `aof_enabled` from the text of `INFO persistence`; undefined when the field is absent. */
export function aofEnabledIn(info: string): boolean | undefined {
  const m = /^aof_enabled:(\d)/m.exec(info);
  return m ? m[1] === '1' : undefined;
}

/**
 * Whether every node that takes writes has AOF on (each master of a cluster); undefined when it
 * cannot be told (INFO refused by an ACL, a managed Redis that hides it).
 */
export async function redisAofEnabled(redis: Redis): Promise<boolean | undefined> {
  const cluster = redis as unknown as Partial<Cluster>;
  const nodes = typeof cluster.nodes === 'function' ? cluster.nodes('master') : [redis];
  let all: boolean | undefined = true;
  for (const node of nodes) {
    let enabled: boolean | undefined;
    try {
      enabled = aofEnabledIn(await node.info('persistence'));
    } catch {
      enabled = undefined;
    }
    if (enabled === false) return false;
    if (enabled === undefined) all = undefined;
  }
  return all;
}

export interface DurabilityPolicy {
  production: boolean;
  /** REDIS_REQUIRE_AOF: false accepts a Redis without AOF even in production. */
  requireAof: boolean;
  logger: Logger;
}

const CONSEQUENCE = 'a Redis restart loses every acknowledged message, idempotency record and pending notification';

/**
 * Checks a Redis that is ready now. In production, with REDIS_REQUIRE_AOF on, a Redis without AOF
 * is a ConfigError (the service refuses to start); anywhere else it is logged. A Redis whose
 * setting cannot be read is logged, never refused: the check must not lock out a managed Redis.
 */
export async function checkRedisDurability(redis: Redis, policy: DurabilityPolicy): Promise<boolean | undefined> {
  const enabled = await redisAofEnabled(redis);
  if (enabled === undefined) {
    policy.logger.warn('cannot read whether Redis has the append-only file on (INFO persistence refused); make sure it does, or ' + CONSEQUENCE);
  } else if (!enabled) {
    const fix = 'turn it on (appendonly yes, appendfsync everysec; docs/reliability.md)';
    if (policy.production && policy.requireAof) {
      throw new ConfigError(`Redis runs without the append-only file: ${CONSEQUENCE}. ${fix}, or set ${REQUIRE_AOF_SETTING}=false to accept that`);
    }
    policy.logger.error({ requireAof: policy.requireAof }, `Redis runs without the append-only file: ${CONSEQUENCE}; ${fix}`);
  }
  return enabled;
}

/**
 * Checks again whenever the connection becomes ready later (a restart, a failover to another
 * node): a replacement without AOF is logged as an error. Never stops a running service: refusing
 * every instance after a failover would turn a durability risk into an outage.
 */
export function watchRedisDurability(redis: Redis, policy: DurabilityPolicy): void {
  redis.on('ready', () => {
    checkRedisDurability(redis, { ...policy, production: false }).catch((err: unknown) => policy.logger.warn({ err }, 'Redis durability check failed'));
  });
}
