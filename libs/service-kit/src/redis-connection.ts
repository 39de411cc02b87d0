import Redis from 'ioredis';
import type { Logger } from './logger';

export type { Redis };

export interface RedisOptions {
  url: string;
  logger: Logger;
  /** How long a command may wait for a lost connection before it fails. */
  commandTimeoutMs?: number;
}

/**
 * One ioredis client that reconnects forever with capped backoff. The offline queue is off:
 * while Redis is down a command fails at once, so callers answer SERVICE_UNAVAILABLE fast
 * instead of piling requests up in memory.
 */
export function connectRedis(opts: RedisOptions): Redis {
  const redis = new Redis(opts.url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: opts.commandTimeoutMs ?? 2000,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    reconnectOnError: () => false,
  });
  let wasReady = false;
  redis.on('ready', () => {
    wasReady = true;
    opts.logger.info({ url: redactUrl(opts.url) }, 'redis ready');
  });
  redis.on('error', (err: Error) => {
    opts.logger.warn({ err: err.message }, 'redis error');
  });
  redis.on('end', () => {
    if (wasReady) opts.logger.info('redis connection ended');
  });
  return redis;
}

/** Waits until the client is ready or the timeout passes; never throws. */
export async function redisReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return true;
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.on('ready', onReady);
  });
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}
