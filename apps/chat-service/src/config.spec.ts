import { ConfigError } from '@relay/service-kit';
import { readConfig } from './config';

describe('config', () => {
  it('config - every setting has a working local default', () => {
    const config = readConfig({});
    expect(config).toEqual(
      expect.objectContaining({
        service: 'chat-service',
        natsUrl: 'nats://127.0.0.1:4222',
        redisUrl: 'redis://127.0.0.1:6379',
        healthPort: 9101,
        historyMaxPerRoom: 10000,
        clientMsgIdTtlSec: 86400,
        textMaxChars: 4000,
      }),
    );
  });

  it('config - the chat settings are read from the environment', () => {
    const config = readConfig({ HISTORY_MAX_PER_ROOM: '50', CLIENT_MSG_ID_TTL_SEC: '60', TEXT_MAX_CHARS: '10', HEALTH_PORT: '0' });
    expect([config.historyMaxPerRoom, config.clientMsgIdTtlSec, config.textMaxChars, config.healthPort]).toEqual([50, 60, 10, 0]);
  });

  it('config - a bad value stops start-up naming the variable', () => {
    expect(() => readConfig({ HISTORY_MAX_PER_ROOM: '0' })).toThrow(ConfigError);
    expect(() => readConfig({ CLIENT_MSG_ID_TTL_SEC: 'day' })).toThrow(/CLIENT_MSG_ID_TTL_SEC/);
    expect(() => readConfig({ TEXT_MAX_CHARS: '-1' })).toThrow(/TEXT_MAX_CHARS/);
  });
});
