/** presence-service's settings: environment variables with working local defaults, and the rules between them. */
import { ConfigError, envInt, envString, readBaseConfig, type BaseConfig } from '@relay/service-kit';

/** The service's name: logs, metrics, envelope source, error tables. */
export const SERVICE_NAME = 'presence-service';

export interface PresenceConfig extends BaseConfig {
  /** How long a heartbeat keeps a gateway alive; a gateway silent for longer is expired. */
  gatewayLeaseMs: number;
  /** How often each instance looks for expired leases (and for unpublished events). */
  sweepIntervalMs: number;
  /** How long closed sessions and retired incarnations are remembered, so late updates cannot resurrect them. */
  tombstoneTtlMs: number;
  /** An event still in the outbox this long after it was made is republished by the outbox drainer. */
  outboxGraceMs: number;
  /** Expired gateways processed per sweep by one instance. */
  sweepBatch: number;
  /** How long the parts of a chunked snapshot wait for the rest of their set (renewed by each part). */
  snapshotPartTtlMs: number;
  /** Prefix of every Redis key; it contains the hash tag that puts all presence keys in one slot. */
  keyPrefix: string;
}

export const PRESENCE_DEFAULTS = {
  healthPort: 9102,
  gatewayLeaseMs: 10000,
  sweepIntervalMs: 1000,
  tombstoneTtlMs: 300000,
  outboxGraceMs: 5000,
  sweepBatch: 100,
  snapshotPartTtlMs: 60000,
  keyPrefix: '{presence}',
} as const;

/** Environment variables (docs/presence.md "Configuration" lists them with defaults). */
export function readConfig(env: Record<string, string | undefined> = process.env): PresenceConfig {
  const config: PresenceConfig = {
    ...readBaseConfig(SERVICE_NAME, PRESENCE_DEFAULTS.healthPort, env),
    gatewayLeaseMs: envInt('GATEWAY_LEASE_MS', PRESENCE_DEFAULTS.gatewayLeaseMs, env, 1),
    sweepIntervalMs: envInt('SWEEP_INTERVAL_MS', PRESENCE_DEFAULTS.sweepIntervalMs, env, 1),
    tombstoneTtlMs: envInt('TOMBSTONE_TTL_MS', PRESENCE_DEFAULTS.tombstoneTtlMs, env, 1),
    outboxGraceMs: envInt('OUTBOX_GRACE_MS', PRESENCE_DEFAULTS.outboxGraceMs, env, 1),
    sweepBatch: envInt('SWEEP_BATCH', PRESENCE_DEFAULTS.sweepBatch, env, 1),
    snapshotPartTtlMs: envInt('SNAPSHOT_PART_TTL_MS', PRESENCE_DEFAULTS.snapshotPartTtlMs, env, 1),
    keyPrefix: envString('PRESENCE_KEY_PREFIX', PRESENCE_DEFAULTS.keyPrefix, env),
  };
  checkConfig(config);
  return config;
}

/** Rules between settings: a config that breaks the staleness bound or loses late updates is refused. */
export function checkConfig(config: PresenceConfig): void {
  if (config.sweepIntervalMs > config.gatewayLeaseMs) {
    throw new ConfigError(`SWEEP_INTERVAL_MS (${config.sweepIntervalMs}) must not exceed GATEWAY_LEASE_MS (${config.gatewayLeaseMs})`);
  }
  if (config.tombstoneTtlMs < config.gatewayLeaseMs) {
    throw new ConfigError(`TOMBSTONE_TTL_MS (${config.tombstoneTtlMs}) must be at least GATEWAY_LEASE_MS (${config.gatewayLeaseMs})`);
  }
  if (!/^\{[A-Za-z0-9_-]+\}$/.test(config.keyPrefix)) {
    throw new ConfigError(`PRESENCE_KEY_PREFIX must be a hash tag such as {presence}, got "${config.keyPrefix}"`);
  }
}
