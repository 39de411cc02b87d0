/** ws-gateway's settings: environment variables with working local defaults; unsafe production settings refuse to start. */
import { resolve } from 'node:path';
import { TEXT_MAX_CODE_POINTS } from '@relay/contracts';
import { ConfigError, envBool, envInt, envString, readBaseConfig, type BaseConfig } from '@relay/service-kit';

/** The service's name: logs, metrics, envelope source. */
export const SERVICE_NAME = 'ws-gateway';

/** The development secret: fine on a laptop, refused in production. */
export const DEV_JWT_SECRET = 'dev-secret-change-me';

export interface GatewayConfig extends BaseConfig {
  /** WebSocket, dev-token and health endpoints all listen here. */
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
  /** How long a room waits for a missing seq (out-of-order publish) before it fetches the gap. */
  gapWaitMs: number;
  /** How often the rooms held are checked against chat-service for a missed last message; 0 = never. */
  tailCheckIntervalMs: number;
  /** Directory of the static web page, served at `/` when it exists. */
  webRoot: string;
  /** Share of SHUTDOWN_TIMEOUT_MS over which SIGTERM spreads the 1012 closes (paced-close.ts). */
  drainSpreadPercent: number;
}

type Env = Record<string, string | undefined>;

/** Environment variables (README "Configuration" lists them with defaults). */
export function readConfig(env: Env = process.env): GatewayConfig {
  const port = envInt('PORT', 8080, env);
  const base = readBaseConfig(SERVICE_NAME, port, env);
  const jwtSecret = envString('JWT_SECRET', DEV_JWT_SECRET, env);
  if (env.NODE_ENV === 'production' && jwtSecret === DEV_JWT_SECRET) {
    throw new ConfigError('JWT_SECRET is unset or the development default; set a real secret to run with NODE_ENV=production');
  }
  const config: GatewayConfig = {
    ...base,
    instanceId: envString('INSTANCE_ID', `gw-${process.pid}`, env),
    port,
    healthPort: port,
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
    gapWaitMs: envInt('GAP_WAIT_MS', 250, env, 1),
    tailCheckIntervalMs: envInt('TAIL_CHECK_INTERVAL_MS', 5000, env, 0),
    webRoot: envString('WEB_ROOT', resolve(process.cwd(), 'dist/apps/web-chat'), env),
    drainSpreadPercent: envInt('DRAIN_SPREAD_PERCENT', 50, env, 0),
  };
  if (config.drainSpreadPercent > 80) throw new ConfigError('DRAIN_SPREAD_PERCENT must be at most 80 (the rest of SHUTDOWN_TIMEOUT_MS drains NATS)');
  if (config.outboundSoftLimitBytes > config.outboundHardLimitBytes) {
    throw new ConfigError('OUTBOUND_SOFT_LIMIT_BYTES must not exceed OUTBOUND_HARD_LIMIT_BYTES');
  }
  if (config.historyDefaultLimit > 100) throw new ConfigError('HISTORY_DEFAULT_LIMIT must be at most 100');
  return config;
}
