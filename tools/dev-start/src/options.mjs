// Command-line options and the environment overrides of `npm start`.
// Ports can be moved with env vars so a second copy (or a test) does not clash with the first.

export const HELP = `Usage: npm start -- [options]

Starts Relay locally: installs dependencies when needed, builds the apps, starts nats-server and
redis-server unless something already answers at NATS_URL / REDIS_URL, then chat-service,
presence-service, notification-service, N ws-gateway instances and the server API (apps/api).
Ctrl-C stops everything it started.

Options:
  --gateways N   number of ws-gateway instances on consecutive ports (default 1)
  --chat N       number of chat-service instances (default 1; instance i > 1 has its health
                 port at CHAT_HEALTH_PORT + 10 * (i - 1): 9111, 9121, ...)
  --nats-cluster N
                 start N nats-servers (2..5) as one cluster on NATS_URL's port and the next
                 N-1 ports (4222, 4223, ...); every app gets all of them in NATS_URL
  --no-infra     never start nats-server / redis-server; fail if NATS_URL / REDIS_URL do not answer
  --no-install   skip the "npm ci when node_modules is missing or stale" step
  --no-build     skip "nx run-many -t build" (dist/apps/* must exist)
  --pretty       human-readable service logs (LOG_PRETTY=1, needs the dev dependency pino-pretty)
  --observe      also start Prometheus (deploy/prometheus) scraping every process, and the
                 gateways' ops page at /ops for OPS_ADMINS [ops] (docs/operations.md)
  --help         this text

Environment (defaults in brackets):
  NATS_URL                   [nats://127.0.0.1:4222]   started here when nothing answers
  REDIS_URL                  [redis://127.0.0.1:6379]  started here when nothing answers
  GATEWAY_BASE_PORT          [8080]  gateway i listens on GATEWAY_BASE_PORT + i - 1
  CHAT_HEALTH_PORT           [9101]
  PRESENCE_HEALTH_PORT       [9102]
  NOTIFICATION_HEALTH_PORT   [9103]
  API_PORT                   [8090]  the server API (HTTP for backends)
  API_KEYS                   [dev:relay-dev-api-key]  NAME:KEY pairs the server API accepts
  READY_TIMEOUT_MS           [60000] how long to wait for every /readyz
  PROMETHEUS_PORT            [9090]  Prometheus of --observe
  Anything else (JWT_SECRET, LOG_LEVEL, ...) is passed through to the services.`;

/** The server API's key in a local run unless API_KEYS is set (printed in the banner). */
export const DEV_API_KEY = 'relay-dev-api-key';

export class UsageError extends Error {
  name = 'UsageError';
}

function intFrom(value, what, min = 1, max = 65535) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${what} must be an integer ${min}..${max}, got "${value}"`);
  return n;
}

function envInt(env, name, fallback, max = 65535) {
  const raw = env[name];
  return raw === undefined || raw === '' ? fallback : intFrom(raw, name, 1, max);
}

/** Parses argv (without node and script) and env into one options object. */
export function parseOptions(argv, env = process.env) {
  const opts = {
    help: false,
    gateways: 1,
    chat: 1,
    natsCluster: 0,
    infra: true,
    install: true,
    build: true,
    pretty: false,
    observe: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') opts.help = true;
    else if (arg === '--no-infra') opts.infra = false;
    else if (arg === '--no-install') opts.install = false;
    else if (arg === '--no-build') opts.build = false;
    else if (arg === '--pretty') opts.pretty = true;
    else if (arg === '--observe') opts.observe = true;
    else if (arg === '--gateways') {
      if (argv[i + 1] === undefined) throw new UsageError('--gateways needs a number');
      opts.gateways = intFrom(argv[++i], '--gateways', 1, 64);
    } else if (arg.startsWith('--gateways=')) opts.gateways = intFrom(arg.slice('--gateways='.length), '--gateways', 1, 64);
    else if (arg === '--chat') {
      if (argv[i + 1] === undefined) throw new UsageError('--chat needs a number');
      opts.chat = intFrom(argv[++i], '--chat', 1, 16);
    } else if (arg.startsWith('--chat=')) opts.chat = intFrom(arg.slice('--chat='.length), '--chat', 1, 16);
    else if (arg === '--nats-cluster') {
      if (argv[i + 1] === undefined) throw new UsageError('--nats-cluster needs a number');
      opts.natsCluster = intFrom(argv[++i], '--nats-cluster', 2, 5);
    } else if (arg.startsWith('--nats-cluster=')) opts.natsCluster = intFrom(arg.slice('--nats-cluster='.length), '--nats-cluster', 2, 5);
    else throw new UsageError(`unknown option "${arg}" (see --help)`);
  }
  opts.natsUrl = env.NATS_URL || 'nats://127.0.0.1:4222';
  opts.redisUrl = env.REDIS_URL || 'redis://127.0.0.1:6379';
  opts.gatewayBasePort = envInt(env, 'GATEWAY_BASE_PORT', 8080);
  opts.healthPorts = {
    chat: envInt(env, 'CHAT_HEALTH_PORT', 9101),
    presence: envInt(env, 'PRESENCE_HEALTH_PORT', 9102),
    notification: envInt(env, 'NOTIFICATION_HEALTH_PORT', 9103),
  };
  opts.apiPort = envInt(env, 'API_PORT', 8090);
  // A well-known key for local runs only: production refuses keys shorter than 32 characters.
  opts.apiKeys = env.API_KEYS || `dev:${DEV_API_KEY}`;
  opts.readyTimeoutMs = envInt(env, 'READY_TIMEOUT_MS', 60000, 3600000);
  if (opts.natsCluster && !opts.infra) throw new UsageError('--nats-cluster starts nats-servers, --no-infra forbids it: give one or the other');
  opts.prometheusPort = envInt(env, 'PROMETHEUS_PORT', 9090);
  if (opts.gatewayBasePort + opts.gateways - 1 > 65535) throw new UsageError('GATEWAY_BASE_PORT + --gateways goes past port 65535');
  return opts;
}
