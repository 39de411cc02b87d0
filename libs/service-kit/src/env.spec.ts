import { ConfigError, envBool, envInt, readBaseConfig } from './env';

describe('env', () => {
  it('env - defaults work locally', () => {
    const c = readBaseConfig('chat-service', 9101, {});
    expect(c.natsUrl).toBe('nats://127.0.0.1:4222');
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.healthPort).toBe(9101);
    expect(c.instanceId).toMatch(/^chat-service-/);
  });

  it('env - a bad value names the variable', () => {
    expect(() => envInt('HEALTH_PORT', 1, { HEALTH_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => envInt('HEALTH_PORT', 1, { HEALTH_PORT: 'eighty' })).toThrow(/HEALTH_PORT/);
    expect(() => envBool('LOG_PRETTY', false, { LOG_PRETTY: 'maybe' })).toThrow(/LOG_PRETTY/);
    expect(envBool('LOG_PRETTY', false, { LOG_PRETTY: 'yes' })).toBe(true);
  });
});
