/** ws-gateway's settings: environment variables with working local defaults; unsafe production settings refuse to start. */
import { resolve } from 'node:path';
import { isSubjectToken, TEXT_MAX_CODE_POINTS } from '@relay/contracts';
import { ConfigError, envBool, envInt, envString, readBaseConfig, type BaseConfig } from '@relay/service-kit';

/** The service's name: logs, metrics, envelope source. */
export const SERVICE_NAME = 'ws-gateway';

/** The development secret: fine on a laptop, refused in production. */
export const DEV_JWT_SECRET = 'dev-secret-change-me';

export interface GatewayConfig extends BaseConfig {
  /**
   * WebSocket and dev-token endpoints listen here; /healthz, /readyz and /metrics too, unless
   * HEALTH_PORT (healthPort) names another, internal port.
   */
  port: number;
  jwtSecret: string;
  /** `POST /auth/dev-token` exists only when this is on. */
  devTokens: boolean;
  /** WebSocket ping frames every this many ms; a connection that misses one pong is dropped. */
  pingIntervalMs: number;
  maxFrameBytes: number;
  textMaxChars: number;
  maxRoomsPerConnection: number;
  ratePerSec: number;
  rateBurst: number;
  outboundSoftLimitBytes: number;
  outboundHardLimitBytes: number;
  /** How long a 1008 close may take to flush before the TCP connection is cut. */
  slowCloseGraceMs: number;
  recoveryCap: number;
  historyDefaultLimit: number;
  heartbeatIntervalMs: number;
  /** Byte budget of one presence snapshot message; 0 = the NATS server's max_payload less headroom. */
  presenceSyncChunkBytes: number;
  /** How long an open breaker waits before it lets a trial call through. */
  breakerResetMs: number;
  /** Admission control: chat requests in flight from this gateway at most; more are refused with retryAfterMs. */
  chatMaxInFlight: number;
  /** The retryAfterMs hint of a request refused by admission control. */
  overloadRetryAfterMs: number;
  /** How long a room waits for a missing seq (out-of-order publish) before it fetches the gap. */
  gapWaitMs: number;
  /** Directory of the static web page, served at `/` when it exists. */
  webRoot: string;
  /** Share of SHUTDOWN_TIMEOUT_MS over which SIGTERM spreads the 1012 closes (paced-close.ts). */
  drainSpreadPercent: number;
  /** Users (token `sub`) allowed to read the ops page's data; empty = no ops page. */
  opsAdmins: string[];
  /** Where the ops page's cluster-wide figures come from. */
  prometheusUrl: string;
}

type Env = Record<string, string | undefined>;

/** Environment variables (README "Configuration" lists them with defaults). */
export function readConfig(env: Env = process.env): GatewayConfig {
  const port = envInt('PORT', 8080, env);
  // HEALTH_PORT defaults to PORT: health and metrics on the public port unless set apart.
  const base = readBaseConfig(SERVICE_NAME, port, env);
  const jwtSecret = envString('JWT_SECRET', DEV_JWT_SECRET, env);
  if (env.NODE_ENV === 'production' && jwtSecret === DEV_JWT_SECRET) {
    throw new ConfigError('JWT_SECRET is unset or the development default; set a real secret to run with NODE_ENV=production');
  }
  const config: GatewayConfig = {
    ...base,
    instanceId: envString('INSTANCE_ID', `gw-${process.pid}`, env),
    port,
    jwtSecret,
    devTokens: envBool('AUTH_DEV_TOKENS', false, env),
    pingIntervalMs: envInt('PING_INTERVAL_MS', 25000, env, 10),
    maxFrameBytes: envInt('MAX_FRAME_BYTES', 16384, env, 64),
    textMaxChars: envInt('TEXT_MAX_CHARS', TEXT_MAX_CODE_POINTS, env, 1),
    maxRoomsPerConnection: envInt('MAX_ROOMS_PER_CONNECTION', 100, env, 1),
    ratePerSec: envInt('RATE_PER_SEC', 20, env, 1),
    rateBurst: envInt('RATE_BURST', 40, env, 1),
    outboundSoftLimitBytes: envInt('OUTBOUND_SOFT_LIMIT_BYTES', 262144, env, 1),
    outboundHardLimitBytes: envInt('OUTBOUND_HARD_LIMIT_BYTES', 1048576, env, 1),
    slowCloseGraceMs: envInt('SLOW_CLOSE_GRACE_MS', 1000, env, 1),
    recoveryCap: envInt('RECOVERY_CAP', 1000, env, 0),
    historyDefaultLimit: envInt('HISTORY_DEFAULT_LIMIT', 50, env, 1),
    heartbeatIntervalMs: envInt('HEARTBEAT_INTERVAL_MS', 3000, env, 10),
    presenceSyncChunkBytes: envInt('PRESENCE_SYNC_CHUNK_BYTES', 0, env, 0),
    breakerResetMs: envInt('BREAKER_RESET_MS', 5000, env, 10),
    chatMaxInFlight: envInt('CHAT_MAX_IN_FLIGHT', 1024, env, 1),
    overloadRetryAfterMs: envInt('OVERLOAD_RETRY_AFTER_MS', 500, env, 1),
    gapWaitMs: envInt('GAP_WAIT_MS', 250, env, 1),
    webRoot: envString('WEB_ROOT', resolve(process.cwd(), 'dist/apps/web-chat'), env),
    drainSpreadPercent: envInt('DRAIN_SPREAD_PERCENT', 50, env, 0),
    opsAdmins: readOpsAdmins(envString('OPS_ADMINS', '', env)),
    prometheusUrl: readHttpUrl('PROMETHEUS_URL', envString('PROMETHEUS_URL', 'http://127.0.0.1:9090', env)),
  };
  if (config.drainSpreadPercent > 80) throw new ConfigError('DRAIN_SPREAD_PERCENT must be at most 80 (the rest of SHUTDOWN_TIMEOUT_MS drains NATS)');
  if (config.outboundSoftLimitBytes > config.outboundHardLimitBytes) {
    throw new ConfigError('OUTBOUND_SOFT_LIMIT_BYTES must not exceed OUTBOUND_HARD_LIMIT_BYTES');
  }
  if (config.historyDefaultLimit > 100) throw new ConfigError('HISTORY_DEFAULT_LIMIT must be at most 100');
  return config;
}

/** A comma-separated list of user ids; each must be a valid user id, or the name is a typo. */
function readOpsAdmins(value: string): string[] {
  const users = value
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
  const bad = users.find((u) => !isSubjectToken(u));
  if (bad !== undefined) throw new ConfigError(`OPS_ADMINS: "${bad}" is not a user id (^[A-Za-z0-9_-]{1,64}$)`);
  return users;
}

function readHttpUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${name} must be an http(s) URL, got "${value}"`);
  return value.replace(/\/+$/, '');
}
