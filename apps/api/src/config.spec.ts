/** The api's configuration rules: key list parsing and what production refuses. */
import { ConfigError } from '@relay/service-kit';
import { parseApiKeys, readConfig } from './config';

describe('api config', () => {
  it('config - API_KEYS is a list of NAME:KEY pairs', () => {
    expect([...parseApiKeys('billing:abc, crm:d:e')]).toEqual([
      ['abc', 'billing'],
      ['d:e', 'crm'],
    ]);
    expect(() => parseApiKeys('nokey')).toThrow(ConfigError);
    expect(() => parseApiKeys(':k')).toThrow(/NAME:KEY/);
  });

  it('config - production refuses to start without keys or with a short key, naming API_KEYS', () => {
    expect(() => readConfig({ NODE_ENV: 'production' })).toThrow(/API_KEYS is empty/);
    expect(() => readConfig({ NODE_ENV: 'production', API_KEYS: 'crm:short' })).toThrow(/API_KEYS: the key of "crm" is shorter/);
    expect(readConfig({ NODE_ENV: 'production', API_KEYS: `crm:${'x'.repeat(32)}` }).apiKeys.size).toBe(1);
    expect(readConfig({}).healthPort).toBe(8090);
  });
});
