import pino from 'pino';
import { startRedis, type TestRedis } from '@relay/testing';
import { ConfigError } from './config-error';
import { connectRedis, redisReady, type Redis } from './redis-connection';
import { aofEnabledIn, checkRedisDurability, redisAofEnabled } from './redis-durability';

function recordingLogger() {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('redis durability check', () => {
  const servers: TestRedis[] = [];
  const clients: Redis[] = [];

  async function client(durable: boolean): Promise<Redis> {
    const server = await startRedis({ durable });
    servers.push(server);
    const redis = connectRedis({ url: server.url, logger: pino({ level: 'silent' }) });
    clients.push(redis);
    expect(await redisReady(redis, 10000)).toBe(true);
    return redis;
  }

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
    await Promise.all(servers.map((s) => s.close()));
  });

  it('redis durability - aof_enabled is read from INFO persistence; absent is unknown', () => {
    expect(aofEnabledIn('# Persistence\r\nloading:0\r\naof_enabled:1\r\n')).toBe(true);
    expect(aofEnabledIn('# Persistence\r\naof_enabled:0\r\n')).toBe(false);
    expect(aofEnabledIn('# Persistence\r\nloading:0\r\n')).toBeUndefined();
  });

  it('redis durability - a real redis-server with AOF passes in production; without it production refuses, naming the setting', async () => {
    const durable = await client(true);
    const forgetful = await client(false);
    expect(await redisAofEnabled(durable)).toBe(true);
    expect(await redisAofEnabled(forgetful)).toBe(false);

    const { logger } = recordingLogger();
    await expect(checkRedisDurability(durable, { production: true, requireAof: true, logger })).resolves.toBe(true);
    const refused = checkRedisDurability(forgetful, { production: true, requireAof: true, logger });
    await expect(refused).rejects.toBeInstanceOf(ConfigError);
    await expect(checkRedisDurability(forgetful, { production: true, requireAof: true, logger })).rejects.toThrow(/append-only file.*REDIS_REQUIRE_AOF=false/);
  });

  it('redis durability - outside production, or with REDIS_REQUIRE_AOF=false, a Redis without AOF is an error log line, not a refusal; turning AOF on is seen', async () => {
    const forgetful = await client(false);
    for (const policy of [
      { production: false, requireAof: true },
      { production: true, requireAof: false },
    ]) {
      const { logger, lines } = recordingLogger();
      await expect(checkRedisDurability(forgetful, { ...policy, logger })).resolves.toBe(false);
      expect(lines).toEqual([expect.objectContaining({ level: 50, msg: expect.stringContaining('without the append-only file') })]);
    }
    await forgetful.config('SET', 'appendonly', 'yes');
    expect(await redisAofEnabled(forgetful)).toBe(true);
  });
});
