import { readBaseConfig } from './env';
import { refuseUnsafeConnections } from './connection-settings';

const prod = (env: Record<string, string>, useRedis = true) => () => {
  const config = readBaseConfig('chat-service', 0, { NODE_ENV: 'production', ...env });
  refuseUnsafeConnections({ ...config, useRedis });
};

describe('connection settings', () => {
  it('reads the NATS nkey seed file, user/password and TLS files', () => {
    const c = readBaseConfig('chat-service', 0, {
      NATS_URL: 'tls://nats:4222',
      NATS_NKEY_SEED_FILE: '/run/secrets/nats.nk',
      NATS_TLS_CA_FILE: '/ca.pem',
      REDIS_URL: 'rediss://:pw@redis:6380',
      REDIS_TLS_CA_FILE: '/redis-ca.pem',
      REDIS_TLS_CERT_FILE: '/c.pem',
      REDIS_TLS_KEY_FILE: '/k.pem',
    });
    expect(c.natsAuth).toEqual({ nkeySeedFile: '/run/secrets/nats.nk', user: undefined, password: undefined });
    expect(c.natsTls).toEqual({ caFile: '/ca.pem', certFile: undefined, keyFile: undefined });
    expect(c.redisTls).toEqual({ caFile: '/redis-ca.pem', certFile: '/c.pem', keyFile: '/k.pem' });
  });

  it('turns TLS on for a tls:// or rediss:// URL alone, and leaves it off otherwise', () => {
    expect(readBaseConfig('x', 0, { NATS_URL: 'tls://n:4222', REDIS_URL: 'rediss://r:6380' })).toMatchObject({ natsTls: {}, redisTls: {} });
    const plain = readBaseConfig('x', 0, {});
    expect(plain.natsTls).toBeUndefined();
    expect(plain.redisTls).toBeUndefined();
  });

  it('refuses half-given credentials and certificates, naming the settings', () => {
    expect(() => readBaseConfig('x', 0, { NATS_USER: 'u' })).toThrow('NATS_USER and NATS_PASSWORD must be set together');
    expect(() => readBaseConfig('x', 0, { NATS_USER: 'u', NATS_PASSWORD: 'p', NATS_NKEY_SEED_FILE: '/s' })).toThrow('NATS_NKEY_SEED_FILE or NATS_USER');
    expect(() => readBaseConfig('x', 0, { NATS_TLS_CERT_FILE: '/c' })).toThrow('NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE');
    expect(() => readBaseConfig('x', 0, { REDIS_TLS_KEY_FILE: '/k' })).toThrow('REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE');
  });
});

describe('production refuses connections without credentials', () => {
  const redis = { REDIS_URL: 'redis://relay:secret@redis:6379' };

  it('refuses NATS without credentials, naming NATS_NKEY_SEED_FILE', () => {
    expect(prod({ NATS_URL: 'nats://nats:4222', ...redis })).toThrow(/NATS_URL has no credentials: set NATS_NKEY_SEED_FILE/);
    expect(prod({ ...redis })).toThrow(/NATS_NKEY_SEED_FILE/);
  });

  it('accepts an nkey seed file, a user and password, or credentials in every NATS URL', () => {
    expect(prod({ NATS_NKEY_SEED_FILE: '/s.nk', ...redis })).not.toThrow();
    expect(prod({ NATS_USER: 'chat', NATS_PASSWORD: 'pw', ...redis })).not.toThrow();
    expect(prod({ NATS_URL: 'nats://chat:pw@a:4222,nats://chat:pw@b:4222', ...redis })).not.toThrow();
    expect(prod({ NATS_URL: 'nats://chat:pw@a:4222,nats://b:4222', ...redis })).toThrow(/NATS_URL has no credentials/);
  });

  it('refuses Redis without a password, naming REDIS_URL, only for services that use Redis', () => {
    const nats = { NATS_NKEY_SEED_FILE: '/s.nk' };
    expect(prod({ ...nats, REDIS_URL: 'redis://redis:6379' })).toThrow(/REDIS_URL has no password/);
    expect(prod({ ...nats, REDIS_URL: 'redis://relay@redis:6379' })).toThrow(/REDIS_URL has no password/);
    expect(prod({ ...nats })).toThrow(/REDIS_URL/);
    expect(prod({ ...nats, REDIS_URL: 'redis://:pw@redis:6379' })).not.toThrow();
    expect(prod({ ...nats, REDIS_URL: 'redis+sentinel://relay:pw@s1:26379,s2:26379/mymaster' })).not.toThrow();
    expect(prod({ ...nats, REDIS_URL: 'rediss+cluster://h1:6379,h2:6379' })).toThrow(/REDIS_URL has no password/);
    expect(prod({ ...nats }, false)).not.toThrow();
  });

  it('lets development run without credentials', () => {
    const config = readBaseConfig('chat-service', 0, {});
    expect(() => refuseUnsafeConnections({ ...config, useRedis: true })).not.toThrow();
  });
});
