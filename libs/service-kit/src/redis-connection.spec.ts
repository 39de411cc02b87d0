import pino from 'pino';
import { startRedisCluster, startRedisSentinel, uniqueName, waitFor, type TestRedisCluster, type TestRedisSentinel } from '@relay/testing';
import { ConfigError } from './env';
import { connectRedis, parseRedisUrl, redisReady, type Redis } from './redis-connection';

const logger = pino({ level: 'silent' });

/** A two-key script like the services' own: both keys must be in one slot on a Cluster. */
const APPEND_LUA = "local n = redis.call('INCR', KEYS[1]) redis.call('HSET', KEYS[2], n, ARGV[1]) return n";
type Scripted = Redis & { appendPair(seq: string, log: string, value: string): Promise<number> };

function scripted(redis: Redis): Scripted {
  redis.defineCommand('appendPair', { numberOfKeys: 2, lua: APPEND_LUA });
  return redis as Scripted;
}

describe('redis-connection URL forms', () => {
  it('redis-connection - a plain redis:// URL is one server, passed through unchanged', () => {
    expect(parseRedisUrl('redis://:pw@10.0.0.1:6380/2')).toEqual({ mode: 'single', url: 'redis://:pw@10.0.0.1:6380/2' });
  });

  it('redis-connection - redis+sentinel:// lists the sentinels and names the primary', () => {
    expect(parseRedisUrl('redis+sentinel://app:s%40cret@s1:26380,s2,[::1]:26381/relay/3?sentinelPassword=sp')).toEqual({
      mode: 'sentinel',
      sentinels: [
        { host: 's1', port: 26380 },
        { host: 's2', port: 26379 },
        { host: '::1', port: 26381 },
      ],
      name: 'relay',
      db: 3,
      auth: { username: 'app', password: 's@cret' },
      sentinelPassword: 'sp',
      tls: false,
    });
  });

  it('redis-connection - rediss+cluster:// lists seed nodes, with TLS and a password', () => {
    expect(parseRedisUrl('rediss+cluster://:pw@n1:7000,n2:7001')).toEqual({
      mode: 'cluster',
      nodes: [
        { host: 'n1', port: 7000 },
        { host: 'n2', port: 7001 },
      ],
      auth: { password: 'pw' },
      tls: true,
    });
  });

  it('redis-connection - malformed URLs are ConfigErrors that name REDIS_URL and hide the password', () => {
    expect(() => parseRedisUrl('http://x')).toThrow(ConfigError);
    expect(() => parseRedisUrl('redis+sentinel://s1:26379')).toThrow(/primary's name/);
    expect(() => parseRedisUrl('redis+cluster://n1:notaport')).toThrow(/REDIS_URL: "n1:notaport" is not host:port/);
    expect(() => parseRedisUrl('redis+cluster://n1:7000/0')).toThrow(/no database/);
    expect(() => parseRedisUrl('mongo://:topsecret@h')).toThrow(/\*\*\*@h/);
  });
});

describe('redis-connection on a real Redis Cluster (3 masters)', () => {
  let cluster: TestRedisCluster;
  let redis: Scripted;

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 });
    redis = scripted(connectRedis({ url: cluster.url, logger }));
    expect(await redisReady(redis, 15000)).toBe(true);
  }, 90000);

  afterAll(async () => {
    await redis?.quit();
    await cluster?.close();
  });

  it('redis-connection - scripts whose keys share a hash tag run on whichever master owns the tag; rooms spread over all masters', async () => {
    const prefix = uniqueName('rc');
    const owners = new Set<number>();
    for (let i = 0; i < 30; i++) {
      const room = `${prefix}-${i}`;
      expect(await redis.appendPair(`chat:{${room}}:seq`, `chat:{${room}}:log`, 'hello')).toBe(1);
      expect(await redis.hget(`chat:{${room}}:log`, '1')).toBe('hello');
      owners.add(await cluster.nodePortOf(`chat:{${room}}:seq`));
    }
    expect(owners).toEqual(new Set(cluster.nodes.map((n) => n.port)));
  });

  it('redis-connection - keys in different slots in one script are refused (the cluster is real, hash tags matter)', async () => {
    const prefix = uniqueName('rc');
    // Find two rooms on different masters so the refusal is certain.
    let other = '';
    const first = await cluster.nodePortOf(`chat:{${prefix}-a}:seq`);
    for (let i = 0; !other; i++) if ((await cluster.nodePortOf(`chat:{${prefix}-${i}}:log`)) !== first) other = `chat:{${prefix}-${i}}:log`;
    await expect(redis.appendPair(`chat:{${prefix}-a}:seq`, other, 'x')).rejects.toThrow(/CROSSSLOT|MOVED|slot/i);
  });
});

describe('redis-connection across a real Sentinel failover', () => {
  let sentinel: TestRedisSentinel;
  let redis: Redis;

  beforeAll(async () => {
    sentinel = await startRedisSentinel();
    redis = connectRedis({ url: sentinel.url, logger, commandTimeoutMs: 500 });
    expect(await redisReady(redis, 15000)).toBe(true);
  }, 60000);

  afterAll(async () => {
    await redis?.quit();
    await sentinel?.close();
  });

  it('redis-connection - writes fail fast while the primary is gone, resume on the promoted replica, and none acknowledged is lost', async () => {
    const key = uniqueName('acked');
    const acked: number[] = [];
    let failures = 0;
    let next = 0;
    let stop = false;
    // One writer, as a service would: each value is retried until acknowledged (SADD is idempotent).
    const writer = (async () => {
      while (!stop) {
        try {
          await redis.sadd(key, String(next));
          acked.push(next++);
        } catch {
          failures++;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    })();
    await waitFor(() => acked.length >= 50, { timeoutMs: 10000, what: '50 writes before the failover' });
    const oldPrimary = await sentinel.primaryPort();
    const newPrimary = await sentinel.killPrimary();
    expect(newPrimary).not.toBe(oldPrimary);
    const ackedAtFailover = acked.length;
    await waitFor(() => acked.length >= ackedAtFailover + 50, { timeoutMs: 30000, what: '50 more writes after the failover' });
    stop = true;
    await writer;
    expect(failures).toBeGreaterThan(0);
    const stored = new Set((await redis.smembers(key)).map(Number));
    expect(acked.filter((n) => !stored.has(n))).toEqual([]);
  }, 60000);
});
