/**
 * Configuration comes from environment variables, each with a working local default.
 * A bad value stops start-up with a message that names the variable.
 */
import { STREAMS } from '@relay/contracts';
import type { StreamSettings } from '@relay/bus';
import { ConfigError } from './config-error';
import { readConnectionSettings, type ConnectionSettings } from './connection-settings';

export { ConfigError };

export type Env = Record<string, string | undefined>;

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
export interface BaseConfig extends ConnectionSettings {
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
  /** NODE_ENV=production: unsafe settings (no NATS credentials, no Redis password) refuse to start. */
  production: boolean;
  /** REDIS_REQUIRE_AOF: a service that stores acknowledged data refuses a Redis without AOF in production. */
  redisRequireAof: boolean;
  /** OpenTelemetry tracing from the standard OTEL_* variables (tracing-sdk.ts); off when absent. */
  tracing?: TracingSettings;
  /** Bytes of publishes that may wait while NATS is unreachable; past them publishes are refused. */
  natsOutboundBufferBytes: number;
  /** Limits of every JetStream stream by name (stream-settings.ts); the owner of a stream applies its own. */
  streams: Record<string, StreamSettings>;
}

/** What the process's tracing SDK needs to know; the exporter reads its own OTEL_EXPORTER_OTLP_* details. */
export interface TracingSettings {
  /** False unless an exporter is asked for: no SDK is started, the API stays a no-op. */
  enabled: boolean;
  /** OTEL_SERVICE_NAME, else the service's own name. */
  serviceName?: string;
}

/**
 * Tracing is on when OTEL_TRACES_EXPORTER is `otlp` or an OTLP endpoint is set, and off when
 * OTEL_TRACES_EXPORTER is `none` or OTEL_SDK_DISABLED is true. Anything this build cannot honour
 * (another exporter, the gRPC or protobuf protocol, an endpoint that is not an http(s) URL) refuses
 * to start rather than silently tracing nothing.
 */
export function readTracingSettings(env: Env = process.env): TracingSettings {
  const exporter = envString('OTEL_TRACES_EXPORTER', '', env).trim().toLowerCase();
  if (exporter !== '' && exporter !== 'otlp' && exporter !== 'none') {
    throw new ConfigError(`OTEL_TRACES_EXPORTER must be otlp or none (this build exports OTLP over HTTP only), got "${exporter}"`);
  }
  const protocol = envString('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', envString('OTEL_EXPORTER_OTLP_PROTOCOL', 'http/json', env), env);
  if (protocol !== 'http/json') {
    throw new ConfigError(`OTEL_EXPORTER_OTLP_PROTOCOL (or OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) must be http/json, the only protocol this build sends; got "${protocol}"`);
  }
  const endpoints = {
    OTEL_EXPORTER_OTLP_ENDPOINT: envString('OTEL_EXPORTER_OTLP_ENDPOINT', '', env),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: envString('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', '', env),
  };
  for (const [name, url] of Object.entries(endpoints)) {
    if (url !== '' && !/^https?:\/\/[^/\s]+/i.test(url)) throw new ConfigError(`${name} must be an http(s) URL, got "${url}"`);
  }
  const endpointSet = Object.values(endpoints).some((url) => url !== '');
  const disabled = envBool('OTEL_SDK_DISABLED', false, env) || exporter === 'none';
  const serviceName = envString('OTEL_SERVICE_NAME', '', env);
  return { enabled: !disabled && (exporter === 'otlp' || endpointSet), serviceName: serviceName === '' ? undefined : serviceName };
}

export function readBaseConfig(service: string, defaultHealthPort: number, env: Env = process.env): BaseConfig {
  const natsUrl = envString('NATS_URL', 'nats://127.0.0.1:4222', env);
  const redisUrl = envString('REDIS_URL', 'redis://127.0.0.1:6379', env);
  return {
    service,
    instanceId: envString('INSTANCE_ID', `${service}-${process.pid}`, env),
    natsUrl,
    redisUrl,
    ...readConnectionSettings(env, natsUrl, redisUrl),
    production: env.NODE_ENV === 'production',
    redisRequireAof: envBool('REDIS_REQUIRE_AOF', true, env),
    logLevel: envString('LOG_LEVEL', 'info', env),
    logPretty: envBool('LOG_PRETTY', false, env),
    healthPort: envInt('HEALTH_PORT', defaultHealthPort, env),
    host: envString('HOST', '127.0.0.1', env),
    shutdownTimeoutMs: envInt('SHUTDOWN_TIMEOUT_MS', 10000, env, 1),
    requestTimeoutMs: envInt('REQUEST_TIMEOUT_MS', 2000, env, 1),
    tracing: readTracingSettings(env),
    natsOutboundBufferBytes: envInt('NATS_OUTBOUND_BUFFER_BYTES', 8 * 1024 * 1024, env, 1024),
    streams: readStreamSettings(env),
  };
}

/**
 * Each JetStream stream's limits: the defaults its contract declares (libs/contracts/src/streams.ts),
 * overridden per stream by `STREAM_<NAME>_MAX_AGE_SEC` and `STREAM_<NAME>_MAX_BYTES`, and
 * `JETSTREAM_REPLICAS` for all of them. Only the owner of a stream applies them.
 */
export function readStreamSettings(env: Env = process.env): Record<string, StreamSettings> {
  const replicas = envInt('JETSTREAM_REPLICAS', 1, env, 1);
  const out: Record<string, StreamSettings> = {};
  for (const s of STREAMS) {
    out[s.name] = {
      maxAgeSec: envInt(`STREAM_${s.name}_MAX_AGE_SEC`, s.limits.maxAgeSec, env, 1),
      maxBytes: envInt(`STREAM_${s.name}_MAX_BYTES`, s.limits.maxBytes, env, 1024),
      replicas,
    };
  }
  return out;
}
