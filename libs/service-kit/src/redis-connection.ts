/**
 * The one way a service connects to Redis: a single server, a Sentinel-managed primary or a
 * Redis Cluster, chosen by the form of REDIS_URL (docs/configuration.md):
 *
 *   redis://[[user]:password@]host:port[/db]                      one server (rediss:// = TLS)
 *   redis+sentinel://[[user]:password@]host:port,host:port/<name>  the primary Sentinel names <name>
 *   redis+cluster://[[user]:password@]host:port,host:port          a Redis Cluster (any seed nodes)
 *
 * (`rediss+sentinel://` and `rediss+cluster://` use TLS to the data nodes.) The password of the
 * URL is the data nodes' password; a Sentinel with its own password takes `?sentinelPassword=`.
 * Every Lua script of the services keeps its keys in one hash slot, so the same code runs on all
 * three topologies.
 */
import IORedis, { Cluster, type ClusterOptions, type RedisOptions as IORedisOptions } from 'ioredis';
import { ConfigError } from './config-error';
import { readPem, type TlsFiles } from './connection-settings';
import type { Logger } from './logger';

/**
 * The client the services use. A Cluster client has the same command methods (ioredis builds
 * both from one command table) and the same `status`, events and `defineCommand`, so the
 * services hold it under this one type.
 */
export type Redis = IORedis;

export interface RedisOptions {
  url: string;
  logger: Logger;
  /** How long a command may wait for a lost connection before it fails. */
  commandTimeoutMs?: number;
  /** TLS to Redis (REDIS_TLS_*; a rediss:// URL alone turns it on with the system CAs). */
  tls?: TlsFiles;
}

/** ioredis takes PEM contents, not paths: read them here, naming the setting when one is missing. */
function redisTlsOptions(tls: TlsFiles | undefined): Pick<IORedisOptions, 'tls'> {
  if (!tls) return {};
  return {
    tls: {
      ca: readPem(tls.caFile, 'REDIS_TLS_CA_FILE'),
      cert: readPem(tls.certFile, 'REDIS_TLS_CERT_FILE'),
      key: readPem(tls.keyFile, 'REDIS_TLS_KEY_FILE'),
    },
  };
}

export type RedisTarget =
  | { mode: 'single'; url: string }
  | { mode: 'sentinel'; sentinels: HostPort[]; name: string; auth: Auth; sentinelPassword?: string; db: number; tls: boolean }
  | { mode: 'cluster'; nodes: HostPort[]; auth: Auth; tls: boolean };

interface HostPort {
  host: string;
  port: number;
}

interface Auth {
  username?: string;
  password?: string;
}

/** Reads REDIS_URL's form; a malformed one is a ConfigError that names the setting. */
export function parseRedisUrl(url: string): RedisTarget {
  const m = /^(rediss?)(?:\+(sentinel|cluster))?:\/\/(?:([^@/]*)@)?([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?$/.exec(url);
  if (!m) throw new ConfigError(`REDIS_URL must be redis://, rediss://, redis+sentinel:// or redis+cluster://, got "${redactUrl(url)}"`);
  const [, scheme, topology, userinfo, hostList, path, query] = m;
  if (!topology) return { mode: 'single', url };
  const tls = scheme === 'rediss';
  const auth = parseAuth(userinfo);
  const hosts = hostList.split(',').map((h) => parseHostPort(h, topology === 'sentinel' ? 26379 : 6379, url));
  const params = new URLSearchParams(query ?? '');
  if (topology === 'cluster') {
    if (path && path !== '/') throw new ConfigError(`REDIS_URL: a Redis Cluster has no database number or name, got "${path}"`);
    return { mode: 'cluster', nodes: hosts, auth, tls };
  }
  const [name, db] = (path ?? '').split('/').filter(Boolean);
  if (!name) throw new ConfigError('REDIS_URL: redis+sentinel:// needs the primary\'s name as its path, e.g. redis+sentinel://s1:26379,s2:26379/mymaster');
  const dbNumber = db === undefined ? 0 : Number(db);
  if (!Number.isInteger(dbNumber) || dbNumber < 0) throw new ConfigError(`REDIS_URL: database must be a number, got "${db}"`);
  return { mode: 'sentinel', sentinels: hosts, name: decodeURIComponent(name), auth, sentinelPassword: params.get('sentinelPassword') ?? undefined, db: dbNumber, tls };
}

function parseAuth(userinfo: string | undefined): Auth {
  if (!userinfo) return {};
  const colon = userinfo.indexOf(':');
  const username = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon));
  const password = colon < 0 ? undefined : decodeURIComponent(userinfo.slice(colon + 1));
  return { username: username || undefined, password: password || undefined };
}

function parseHostPort(text: string, defaultPort: number, url: string): HostPort {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(text.trim());
  const port = m?.[2] === undefined ? defaultPort : Number(m[2]);
  if (!m || port < 1 || port > 65535) throw new ConfigError(`REDIS_URL: "${text}" is not host:port in "${redactUrl(url)}"`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

/**
 * One client that reconnects forever with capped backoff. The offline queue is off: while Redis
 * is down a command fails at once, so callers answer SERVICE_UNAVAILABLE fast instead of piling
 * requests up in memory.
 */
export function connectRedis(opts: RedisOptions): Redis {
  const target = parseRedisUrl(opts.url);
  const common: IORedisOptions = {
    ...redisTlsOptions(opts.tls),
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: opts.commandTimeoutMs ?? 2000,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    // A primary demoted by a failover answers READONLY: reconnect (Sentinel then names the new
    // primary). The failed command is not resent; the caller's retry is idempotent.
    reconnectOnError: (err) => err.message.startsWith('READONLY'),
    // Commands issued in the same event-loop turn (concurrent requests) go out as one pipeline:
    // one write and one read instead of one system call each.
    enableAutoPipelining: true,
  };
  const redis = createClient(target, common);
  let wasReady = false;
  redis.on('ready', () => {
    wasReady = true;
    opts.logger.info({ url: redactUrl(opts.url), mode: target.mode }, 'redis ready');
  });
  redis.on('error', (err: Error) => {
    opts.logger.warn({ err: err.message }, 'redis error');
  });
  redis.on('end', () => {
    if (wasReady) opts.logger.info('redis connection ended');
  });
  return redis;
}

function createClient(target: RedisTarget, common: IORedisOptions): Redis {
  switch (target.mode) {
    case 'single':
      return new IORedis(target.url, common);
    case 'sentinel':
      return new IORedis({
        ...common,
        ...target.auth,
        sentinels: target.sentinels,
        name: target.name,
        db: target.db,
        sentinelPassword: target.sentinelPassword,
        // No failoverDetector: in ioredis 5.11 its Sentinel subscriptions can outlive quit() and keep
        // the process alive. A crashed primary drops the connection and a demoted one answers
        // READONLY (reconnectOnError above); either way the client asks the Sentinels again.
        sentinelRetryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
        ...(target.tls && !common.tls ? { tls: {} } : {}),
      });
    case 'cluster': {
      const options: ClusterOptions = {
        enableOfflineQueue: false,
        enableReadyCheck: true,
        maxRedirections: 16,
        retryDelayOnFailover: 100,
        retryDelayOnClusterDown: 100,
        clusterRetryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
        redisOptions: { ...common, ...target.auth, ...(target.tls && !common.tls ? { tls: {} } : {}) },
      };
      // Same command surface (see the Redis type above); the services never call a
      // single-node-only command such as SELECT or KEYS.
      return new Cluster(target.nodes, options) as unknown as Redis;
    }
  }
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
