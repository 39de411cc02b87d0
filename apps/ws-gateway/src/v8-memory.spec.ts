import { ConfigError } from '@relay/service-kit';
import { readConfig } from './config';
import { v8FlagsFor } from './v8-memory';

describe('V8 memory setting', () => {
  it('v8 memory - off by default: the gateway runs with V8 tuned for speed', () => {
    expect(readConfig({}).optimizeForMemory).toBe(false);
    expect(v8FlagsFor(readConfig({}))).toEqual([]);
  });

  it('v8 memory - OPTIMIZE_FOR_MEMORY=1 asks V8 to optimize for size', () => {
    const config = readConfig({ OPTIMIZE_FOR_MEMORY: '1' });
    expect(config.optimizeForMemory).toBe(true);
    expect(v8FlagsFor(config)).toEqual(['--optimize-for-size']);
  });

  it('v8 memory - a value that is not a boolean stops start-up with the setting named', () => {
    expect(() => readConfig({ OPTIMIZE_FOR_MEMORY: 'lots' })).toThrow(ConfigError);
    expect(() => readConfig({ OPTIMIZE_FOR_MEMORY: 'lots' })).toThrow(/OPTIMIZE_FOR_MEMORY/);
  });
});
