/** Command-line options of the load tester, parsed and validated before anything connects. */

export interface LoadtestOptions {
  users: number;
  rooms: number;
  /** Messages per second per virtual user; 0 connects and joins but sends nothing (idle run). */
  rate: number;
  durationS: number;
  /** WebSocket URLs, loopback only. */
  gateways: string[];
  workers: number;
  /** Connections are opened evenly over this many seconds. */
  rampS: number;
  /** After sending stops, wait at most this long for in-flight acks and deliveries. */
  drainS: number;
  /** Sign tokens locally instead of asking each gateway's POST /auth/dev-token. */
  jwtSecret?: string;
  out: string;
  chart: string;
  /** Prefix of every user and room name of this run, so runs never see each other's traffic. */
  prefix: string;
  /** Extra characters appended to each message text, to test bigger payloads. */
  padding: number;
  /** Which client protocol the virtual users speak: Relay's (also the raw-ws floor's) or Socket.IO's (the reference peer). */
  protocol: Protocol;
  /** Deliveries of messages sent in the first S seconds are counted (loss) but kept out of the latency figures. */
  warmupS: number;
  /** When above 0, connect+join runs with at most N attempts in flight (a connection storm) instead of the ramp. */
  inFlight: number;
}

export const PROTOCOLS = ['relay', 'socketio'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export type ParsedArgs = { help: true } | { help: false; options: LoadtestOptions };

export class ArgsError extends Error {
  override readonly name = 'ArgsError';
}

export const USAGE = `Usage: npm run loadtest -- --gateways ws://127.0.0.1:8080/ws[,ws://127.0.0.1:8081/ws] [options]

  --gateways LIST    comma-separated gateway WebSocket URLs (127.0.0.1 or localhost only)   required
  --users N          virtual users (one connection each)                                      500
  --rooms N          rooms; user i joins room i mod N, a room's members alternate gateways    50
  --rate R           messages per second per user (0 = connect, join and stay idle)          1
  --duration S       seconds of sending (or of idling when --rate 0)                         60
  --workers N        worker processes generating the load (child_process.fork)              1
  --ramp S           open the connections evenly over S seconds                               users/250, 1..60
  --drain S          after sending, wait up to S seconds for in-flight acks and deliveries    5
  --jwt-secret KEY   sign tokens locally (HS256) instead of POST /auth/dev-token
  --out FILE         JSON result                                  test-output/loadtest-<timestamp>.json
  --chart FILE       SVG latency chart                            the --out path with .svg
  --prefix NAME      user/room name prefix for this run           lt<time><random>
  --padding N        extra characters per message text                                        0
  --protocol P       relay (Relay's gateway, or the raw-ws floor) | socketio (the reference peer)  relay
  --warmup S         keep deliveries of the first S seconds of sending out of the latencies   0
  --in-flight N      connect+join with at most N attempts in flight (a storm), not the ramp   0 (ramp)
  --help             this text

Exit code: 0 when every stored message reached every member exactly once and in order, 1 on any loss,
duplicate or out-of-order delivery (or when nothing could be sent), 2 on bad arguments, 3 on a run that
could not complete.`;

type Spec = { kind: 'int' | 'number' | 'string'; min?: number; max?: number };

const SPECS: Record<string, Spec> = {
  gateways: { kind: 'string' },
  users: { kind: 'int', min: 1, max: 100000 },
  rooms: { kind: 'int', min: 1, max: 100000 },
  rate: { kind: 'number', min: 0, max: 1000 },
  duration: { kind: 'number', min: 0.1, max: 86400 },
  workers: { kind: 'int', min: 1, max: 64 },
  ramp: { kind: 'number', min: 0, max: 3600 },
  drain: { kind: 'number', min: 0, max: 120 },
  'jwt-secret': { kind: 'string' },
  out: { kind: 'string' },
  chart: { kind: 'string' },
  prefix: { kind: 'string' },
  padding: { kind: 'int', min: 0, max: 3900 },
  protocol: { kind: 'string' },
  warmup: { kind: 'number', min: 0, max: 3600 },
  'in-flight': { kind: 'int', min: 0, max: 100000 },
};

const NAME_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;
const LOOPBACK = new Set(['127.0.0.1', 'localhost']);

/** Turns argv (without node and script) into options; throws ArgsError with a message a user can act on. */
export function parseArgs(argv: string[], now: Date = new Date()): ParsedArgs {
  const raw = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { help: true };
    if (!arg.startsWith('--')) throw new ArgsError(`unexpected argument "${arg}": options look like --name value`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (!(name in SPECS)) throw new ArgsError(`unknown option --${name}; known: ${Object.keys(SPECS).map((k) => `--${k}`).join(', ')}`);
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new ArgsError(`--${name} needs a value`);
      i++;
    }
    if (raw.has(name)) throw new ArgsError(`--${name} is given twice`);
    raw.set(name, value);
  }

  const num = (name: string, fallback: number): number => {
    const text = raw.get(name);
    if (text === undefined) return fallback;
    const spec = SPECS[name];
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) throw new ArgsError(`--${name} must be a number, got "${text}"`);
    if (spec.kind === 'int' && !Number.isInteger(value)) throw new ArgsError(`--${name} must be a whole number, got "${text}"`);
    if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
      throw new ArgsError(`--${name} must be between ${spec.min} and ${spec.max}, got ${text}`);
    }
    return value;
  };

  const gatewaysText = raw.get('gateways');
  if (gatewaysText === undefined) throw new ArgsError('--gateways is required, e.g. --gateways ws://127.0.0.1:8080/ws');
  const gateways = gatewaysText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(parseGatewayUrl);
  if (gateways.length === 0) throw new ArgsError('--gateways lists no URL');

  const users = num('users', 500);
  const rooms = num('rooms', 50);
  if (rooms > users) throw new ArgsError(`--rooms (${rooms}) cannot exceed --users (${users}): every room needs a member`);
  const workers = num('workers', 1);
  if (workers > users) throw new ArgsError(`--workers (${workers}) cannot exceed --users (${users})`);
  const defaultRamp = Math.min(60, Math.max(1, Math.round(users / 250)));

  const prefix = raw.get('prefix') ?? `lt${now.getTime().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  if (!NAME_PATTERN.test(prefix)) throw new ArgsError(`--prefix must match ${NAME_PATTERN.source} (it becomes part of user and room names), got "${prefix}"`);

  const jwtSecret = raw.get('jwt-secret');
  if (jwtSecret !== undefined && jwtSecret === '') throw new ArgsError('--jwt-secret must not be empty');

  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const out = raw.get('out') ?? `test-output/loadtest-${stamp}.json`;
  if (out === '') throw new ArgsError('--out must not be empty');
  const chart = raw.get('chart') ?? (out.endsWith('.json') ? `${out.slice(0, -5)}.svg` : `${out}.svg`);

  const protocol = raw.get('protocol') ?? 'relay';
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) throw new ArgsError(`--protocol must be one of ${PROTOCOLS.join(', ')}, got "${protocol}"`);
  const durationS = num('duration', 60);
  const warmupS = num('warmup', 0);
  if (warmupS >= durationS && warmupS > 0) throw new ArgsError(`--warmup (${warmupS}) must be shorter than --duration (${durationS})`);

  return {
    help: false,
    options: {
      users,
      rooms,
      rate: num('rate', 1),
      durationS,
      gateways,
      workers,
      rampS: num('ramp', defaultRamp),
      drainS: num('drain', 5),
      jwtSecret,
      out,
      chart,
      prefix,
      padding: num('padding', 0),
      protocol: protocol as Protocol,
      warmupS,
      inFlight: num('in-flight', 0),
    },
  };
}

/** Accepts ws:// URLs on the loopback interface only: a load test must never hit a shared host by mistake. */
export function parseGatewayUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ArgsError(`--gateways: "${text}" is not a URL (expected ws://127.0.0.1:PORT/ws)`);
  }
  if (url.protocol !== 'ws:') throw new ArgsError(`--gateways: "${text}" must use ws:// (the load test only targets a local gateway)`);
  if (!LOOPBACK.has(url.hostname)) throw new ArgsError(`--gateways: "${text}" is not on 127.0.0.1; the load test only sends traffic to this machine`);
  url.hostname = '127.0.0.1';
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/ws';
  return url.toString();
}

/** The gateway's HTTP origin (for POST /auth/dev-token) from its WebSocket URL. */
export function httpOrigin(wsUrl: string): string {
  const url = new URL(wsUrl);
  return `http://${url.host}`;
}
