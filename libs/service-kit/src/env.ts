/**
 * Configuration comes from environment variables, each with a working local default.
 * A bad value stops start-up with a message that names the variable.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

export function envString(name: string, fallback: string, env: Env = process.env): string {
  const v = env[name];
  return v === undefined || v === '' ? fallback : v;
}

export function envInt(name: string, fallback: number, env: Env = process.env, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new ConfigError(`${name} must be an integer >= ${min}, got "${raw}"`);
  return v;
}

export function envBool(name: string, fallback: boolean, env: Env = process.env): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be a boolean (1/0, true/false), got "${raw}"`);
}

/** The settings every service shares. */
export interface BaseConfig {
  service: string;
  instanceId: string;
  natsUrl: string;
  redisUrl: string;
  logLevel: string;
  logPretty: boolean;
  /** HTTP port for /healthz, /readyz and /metrics (the gateway serves them on its main port). */
  healthPort: number;
  host: string;
  shutdownTimeoutMs: number;
  /** Timeout of each request to another service. */
  requestTimeoutMs: number;
  /** Bytes of publishes that may wait while NATS is unreachable; past them publishes are refused. */
  natsOutboundBufferBytes: number;
}

export function readBaseConfig(service: string, defaultHealthPort: number, env: Env = process.env): BaseConfig {
  return {
    service,
    instanceId: envString('INSTANCE_ID', `${service}-${process.pid}`, env),
    natsUrl: envString('NATS_URL', 'nats://127.0.0.1:4222', env),
    redisUrl: envString('REDIS_URL', 'redis://127.0.0.1:6379', env),
    logLevel: envString('LOG_LEVEL', 'info', env),
    logPretty: envBool('LOG_PRETTY', false, env),
    healthPort: envInt('HEALTH_PORT', defaultHealthPort, env),
    host: envString('HOST', '127.0.0.1', env),
    shutdownTimeoutMs: envInt('SHUTDOWN_TIMEOUT_MS', 10000, env, 1),
    requestTimeoutMs: envInt('REQUEST_TIMEOUT_MS', 2000, env, 1),
    natsOutboundBufferBytes: envInt('NATS_OUTBOUND_BUFFER_BYTES', 8 * 1024 * 1024, env, 1024),
  };
}
