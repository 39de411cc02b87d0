/** ws-gateway's settings: environment variables with working local defaults; unsafe production settings refuse to start. */
import { resolve } from 'node:path';
import { isSubjectToken, TEXT_MAX_CODE_POINTS } from '@relay/contracts';
import { ConfigError, envBool, envInt, envString, readBaseConfig, type BaseConfig } from '@relay/service-kit';

/** The service's name: logs, metrics, envelope source. */
export const SERVICE_NAME = 'ws-gateway';

/** The development secret: fine on a laptop, refused in production. */
export const DEV_JWT_SECRET = 'dev-secret-change-me';
/** RFC 7518 3.2: an HS256 key must be at least as long as the hash output. */
export const MIN_HS256_SECRET_BYTES = 32;
export const TOKEN_ALGORITHMS = ['HS256', 'RS256', 'ES256'] as const;
export type TokenAlgorithm = (typeof TOKEN_ALGORITHMS)[number];

/** How client tokens are checked (docs/security.md "Tokens"). */
export interface TokenConfig {
  /** Accepted `alg` values; anything else (`none` included) is a 401. */
  algorithms: TokenAlgorithm[];
  /** HS256 secrets: the current one first, then the previous one during a rotation. */
  secrets: string[];
  /** RS256/ES256 public keys: a JWKS file, or a URL fetched at start and refreshed. */
  jwksFile?: string;
  jwksUrl?: string;
  jwksRefreshMs: number;
  /** When set, a token's `aud` / `iss` must match (comma-separated lists). */
  audiences: string[];
  issuers: string[];
  clockSkewMs: number;
}

/** Room permissions (docs/security.md "Private rooms"). */
export interface PermissionConfig {
  /** Room patterns that are private: `*` = every room; empty = every room public. */
  privateRooms: string[];
  /** Asked about a private room the token does not grant; empty = the token decides alone. */
  webhookUrl?: string;
  webhookTimeoutMs: number;
  /** How long a webhook answer is reused for the same user and room. */
  cacheMs: number;
}

/** Edge protections of the upgrade request (docs/security.md "Abuse limits"). */
export interface EdgeConfig {
  /** Allowed `Origin` values of browser upgrades; empty = any origin. */
  allowedOrigins: string[];
  maxConnectionsPerUser: number;
  maxConnectionsPerIp: number;
  /** Client IPs from X-Forwarded-For (behind a TLS-terminating proxy). */
  trustProxy: boolean;
  /** The gateway serves wss:// itself when both are set. */
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** history/presence replies cost one extra rate-limit token per this many items. */
  replyItemsPerToken: number;
}

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
  /** How long ephemeral frames (typing, member) may wait in a corked socket for company; 0 sends them with the iteration. */
  ephemeralHoldMs: number;
  /** V8 tuned for memory rather than speed (OPTIMIZE_FOR_MEMORY): for gateways that mostly hold idle connections. */
  optimizeForMemory: boolean;
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
  /** How often the rooms held are checked against chat-service for a missed last message; 0 = never. */
  tailCheckIntervalMs: number;
  /** Directory of the static web page, served at `/` when it exists. */
  webRoot: string;
  /** Share of SHUTDOWN_TIMEOUT_MS over which SIGTERM spreads the 1012 closes (paced-close.ts). */
  drainSpreadPercent: number;
  /** Users (token `sub`) allowed to read the ops page's data; empty = no ops page. */
  opsAdmins: string[];
  /** Where the ops page's cluster-wide figures come from. */
  prometheusUrl: string;
  tokens: TokenConfig;
  permissions: PermissionConfig;
  edge: EdgeConfig;
}

/** A comma-separated setting as a list (empty items dropped). */
function listOf(raw: string): string[] {
  return raw
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

/** An optional setting: unset or empty is undefined. */
function optional(raw: string): string | undefined {
  return raw === '' ? undefined : raw;
}

function readTokenConfig(env: Env, production: boolean): TokenConfig {
  const secret = envString('JWT_SECRET', DEV_JWT_SECRET, env);
  const previous = optional(envString('JWT_SECRET_PREVIOUS', '', env));
  const jwksFile = optional(envString('JWT_JWKS_FILE', '', env));
  const jwksUrl = optional(envString('JWT_JWKS_URL', '', env));
  const defaultAlgs = jwksFile || jwksUrl ? 'RS256,ES256' : 'HS256';
  const algorithms = envString('JWT_ALGORITHMS', defaultAlgs, env)
    .split(',')
    .map((a) => a.trim());
  for (const a of algorithms) {
    if (!(TOKEN_ALGORITHMS as readonly string[]).includes(a)) throw new ConfigError(`JWT_ALGORITHMS: "${a}" is not one of ${TOKEN_ALGORITHMS.join(', ')}`);
  }
  const asymmetric = algorithms.some((a) => a !== 'HS256');
  if (asymmetric && !jwksFile && !jwksUrl) throw new ConfigError('JWT_ALGORITHMS lists RS256/ES256 but neither JWT_JWKS_FILE nor JWT_JWKS_URL is set');
  if (jwksFile && jwksUrl) throw new ConfigError('set JWT_JWKS_FILE or JWT_JWKS_URL, not both');
  if (production && algorithms.includes('HS256')) {
    for (const [name, value] of [['JWT_SECRET', secret], ['JWT_SECRET_PREVIOUS', previous]] as const) {
      if (value === undefined) continue;
      if (value === DEV_JWT_SECRET) throw new ConfigError(`${name} is unset or the development default; set a real secret to run with NODE_ENV=production`);
      if (Buffer.byteLength(value) < MIN_HS256_SECRET_BYTES) {
        throw new ConfigError(`${name} is shorter than ${MIN_HS256_SECRET_BYTES} bytes; HS256 needs a longer secret with NODE_ENV=production`);
      }
    }
  }
  return {
    algorithms: [...new Set(algorithms)] as TokenAlgorithm[],
    secrets: previous === undefined ? [secret] : [secret, previous],
    jwksFile,
    jwksUrl,
    jwksRefreshMs: envInt('JWT_JWKS_REFRESH_MS', 300000, env, 1000),
    audiences: listOf(envString('JWT_AUDIENCE', '', env)),
    issuers: listOf(envString('JWT_ISSUER', '', env)),
    clockSkewMs: envInt('JWT_CLOCK_SKEW_MS', 30000, env, 0),
  };
}

function readPermissionConfig(env: Env): PermissionConfig {
  const privateRooms = listOf(envString('PRIVATE_ROOMS', '', env));
  for (const p of privateRooms) {
    if (!/^[A-Za-z0-9_-]{0,64}\*?$/.test(p) || p === '') throw new ConfigError(`PRIVATE_ROOMS: "${p}" is not a room name or a prefix ending in *`);
  }
  const webhookUrl = optional(envString('PERMISSION_WEBHOOK_URL', '', env));
  if (webhookUrl && !/^https?:\/\//.test(webhookUrl)) throw new ConfigError('PERMISSION_WEBHOOK_URL must be an http(s) URL');
  return {
    privateRooms,
    webhookUrl,
    webhookTimeoutMs: envInt('PERMISSION_WEBHOOK_TIMEOUT_MS', 2000, env, 10),
    cacheMs: envInt('PERMISSION_CACHE_MS', 30000, env, 0),
  };
}

function readEdgeConfig(env: Env): EdgeConfig {
  const tlsCertFile = optional(envString('TLS_CERT_FILE', '', env));
  const tlsKeyFile = optional(envString('TLS_KEY_FILE', '', env));
  if ((tlsCertFile === undefined) !== (tlsKeyFile === undefined)) throw new ConfigError('TLS_CERT_FILE and TLS_KEY_FILE must be set together');
  return {
    allowedOrigins: listOf(envString('ALLOWED_ORIGINS', '', env)),
    maxConnectionsPerUser: envInt('MAX_CONNECTIONS_PER_USER', 20, env, 0),
    maxConnectionsPerIp: envInt('MAX_CONNECTIONS_PER_IP', 0, env, 0),
    trustProxy: envBool('TRUST_PROXY', false, env),
    tlsCertFile,
    tlsKeyFile,
    replyItemsPerToken: envInt('RATE_REPLY_ITEMS_PER_TOKEN', 50, env, 1),
  };
}

type Env = Record<string, string | undefined>;

/** Environment variables (README "Configuration" lists them with defaults). */
export function readConfig(env: Env = process.env): GatewayConfig {
  const port = envInt('PORT', 8080, env);
  // HEALTH_PORT defaults to PORT: health and metrics on the public port unless set apart.
  const base = readBaseConfig(SERVICE_NAME, port, env);
  const production = env.NODE_ENV === 'production';
  const tokens = readTokenConfig(env, production);
  const jwtSecret = tokens.secrets[0];
  const devTokens = envBool('AUTH_DEV_TOKENS', false, env);
  if (production && devTokens) throw new ConfigError('AUTH_DEV_TOKENS=1 hands anybody a token for any user; it is refused with NODE_ENV=production');
  if (devTokens && !tokens.algorithms.includes('HS256')) throw new ConfigError('AUTH_DEV_TOKENS=1 signs HS256 tokens; add HS256 to JWT_ALGORITHMS');
  const config: GatewayConfig = {
    ...base,
    instanceId: envString('INSTANCE_ID', `gw-${process.pid}`, env),
    port,
    jwtSecret,
    devTokens,
    pingIntervalMs: envInt('PING_INTERVAL_MS', 25000, env, 10),
    maxFrameBytes: envInt('MAX_FRAME_BYTES', 16384, env, 64),
    textMaxChars: envInt('TEXT_MAX_CHARS', TEXT_MAX_CODE_POINTS, env, 1),
    maxRoomsPerConnection: envInt('MAX_ROOMS_PER_CONNECTION', 100, env, 1),
    ratePerSec: envInt('RATE_PER_SEC', 20, env, 1),
    rateBurst: envInt('RATE_BURST', 40, env, 1),
    outboundSoftLimitBytes: envInt('OUTBOUND_SOFT_LIMIT_BYTES', 262144, env, 1),
    outboundHardLimitBytes: envInt('OUTBOUND_HARD_LIMIT_BYTES', 1048576, env, 1),
    slowCloseGraceMs: envInt('SLOW_CLOSE_GRACE_MS', 1000, env, 1),
    ephemeralHoldMs: envInt('EPHEMERAL_HOLD_MS', 250, env, 0),
    optimizeForMemory: envBool('OPTIMIZE_FOR_MEMORY', false, env),
    recoveryCap: envInt('RECOVERY_CAP', 1000, env, 0),
    historyDefaultLimit: envInt('HISTORY_DEFAULT_LIMIT', 50, env, 1),
    heartbeatIntervalMs: envInt('HEARTBEAT_INTERVAL_MS', 3000, env, 10),
    presenceSyncChunkBytes: envInt('PRESENCE_SYNC_CHUNK_BYTES', 0, env, 0),
    breakerResetMs: envInt('BREAKER_RESET_MS', 5000, env, 10),
    chatMaxInFlight: envInt('CHAT_MAX_IN_FLIGHT', 1024, env, 1),
    overloadRetryAfterMs: envInt('OVERLOAD_RETRY_AFTER_MS', 500, env, 1),
    gapWaitMs: envInt('GAP_WAIT_MS', 250, env, 1),
    tailCheckIntervalMs: envInt('TAIL_CHECK_INTERVAL_MS', 5000, env, 0),
    webRoot: envString('WEB_ROOT', resolve(process.cwd(), 'dist/apps/web-chat'), env),
    drainSpreadPercent: envInt('DRAIN_SPREAD_PERCENT', 50, env, 0),
    opsAdmins: readOpsAdmins(envString('OPS_ADMINS', '', env)),
    prometheusUrl: readHttpUrl('PROMETHEUS_URL', envString('PROMETHEUS_URL', 'http://127.0.0.1:9090', env)),
    tokens,
    permissions: readPermissionConfig(env),
    edge: readEdgeConfig(env),
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
