import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '@relay/service-kit';
import { PRESENCE_DEFAULTS, readConfig } from './config';

const DOC = readFileSync(resolve(__dirname, '../../../docs/presence.md'), 'utf8');

describe('config', () => {
  it('config - defaults give a 10 s lease swept every second', () => {
    const c = readConfig({});
    expect(c.gatewayLeaseMs).toBe(10000);
    expect(c.sweepIntervalMs).toBe(1000);
    expect(c.healthPort).toBe(9102);
    expect(c.keyPrefix).toBe('{presence}');
  });

  it('config - settings that would break the staleness bound or the key slot are refused by name', () => {
    expect(() => readConfig({ GATEWAY_LEASE_MS: '1000', SWEEP_INTERVAL_MS: '2000' })).toThrow(/SWEEP_INTERVAL_MS/);
    expect(() => readConfig({ GATEWAY_LEASE_MS: '20000', TOMBSTONE_TTL_MS: '1000' })).toThrow(/TOMBSTONE_TTL_MS/);
    expect(() => readConfig({ PRESENCE_KEY_PREFIX: 'presence' })).toThrow(ConfigError);
    expect(() => readConfig({ GATEWAY_LEASE_MS: 'soon' })).toThrow(/GATEWAY_LEASE_MS/);
  });

  it('config - every variable and its default is in docs/presence.md', () => {
    const vars = {
      GATEWAY_LEASE_MS: PRESENCE_DEFAULTS.gatewayLeaseMs,
      SWEEP_INTERVAL_MS: PRESENCE_DEFAULTS.sweepIntervalMs,
      TOMBSTONE_TTL_MS: PRESENCE_DEFAULTS.tombstoneTtlMs,
      OUTBOX_GRACE_MS: PRESENCE_DEFAULTS.outboxGraceMs,
      SWEEP_BATCH: PRESENCE_DEFAULTS.sweepBatch,
      SNAPSHOT_PART_TTL_MS: PRESENCE_DEFAULTS.snapshotPartTtlMs,
      PRESENCE_KEY_PREFIX: PRESENCE_DEFAULTS.keyPrefix,
      HEALTH_PORT: PRESENCE_DEFAULTS.healthPort,
    };
    for (const [name, value] of Object.entries(vars)) expect(DOC).toMatch(new RegExp(`\\| \`${name}\` \\| \`${value.toString().replace(/[{}]/g, '\\$&')}\` \\|`));
  });
});
