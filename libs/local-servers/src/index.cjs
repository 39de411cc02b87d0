// How to run nats-server and redis-server on this machine: where the binaries are, what to tell
// someone who has none, and the arguments of a private, throw-away server. The one launcher
// description used by the tests (libs/testing), `npm start` (tools/dev-start), the presence
// benchmark and the benchmark stack (tools/loadtest/bench-stack.sh through cli.cjs).
// CommonJS with a .d.cts beside it, so TypeScript, Jest, .mjs tools and shell scripts all load it
// as it is, without a build step.
'use strict';
const { existsSync } = require('node:fs');
const { delimiter, join } = require('node:path');

/** What each server is called, where distributions put it, and how to get it. */
const SERVERS = {
  nats: {
    binary: 'nats-server',
    fallbackPaths: ['/usr/sbin/nats-server', '/usr/local/bin/nats-server', '/opt/homebrew/bin/nats-server'],
    defaultPort: 4222,
    envName: 'NATS_URL',
    install: [
      'apt-get install -y nats-server        (Debian/Ubuntu)',
      'brew install nats-server              (macOS)',
      'docker compose up -d nats              (any OS with Docker)',
    ],
  },
  redis: {
    binary: 'redis-server',
    fallbackPaths: ['/usr/bin/redis-server', '/usr/local/bin/redis-server', '/opt/homebrew/bin/redis-server'],
    defaultPort: 6379,
    envName: 'REDIS_URL',
    install: [
      'apt-get install -y redis-server       (Debian/Ubuntu)',
      'brew install redis                     (macOS)',
      'docker compose up -d redis             (any OS with Docker)',
    ],
  },
  // Optional (npm start -- --observe, the alert rule tests): scrapes every process's /metrics.
  // promtool, which checks and unit-tests rules, comes in the same package, beside it.
  prometheus: {
    binary: 'prometheus',
    fallbackPaths: ['/usr/bin/prometheus', '/usr/local/bin/prometheus', '/opt/homebrew/bin/prometheus'],
    defaultPort: 9090,
    envName: 'PROMETHEUS_PORT',
    install: ['apt-get install -y prometheus        (Debian/Ubuntu; brings promtool too)', 'brew install prometheus               (macOS)'],
  },
};

function specOf(kind) {
  const spec = SERVERS[kind];
  if (!spec) throw new Error(`unknown server kind "${kind}" (nats, redis or prometheus)`);
  return spec;
}

/** The server's binary on PATH or at a usual install path; undefined when it is not installed. */
function findServerBinary(kind) {
  const spec = specOf(kind);
  for (const dir of (process.env.PATH || '').split(delimiter)) {
    if (dir && existsSync(join(dir, spec.binary))) return join(dir, spec.binary);
  }
  return spec.fallbackPaths.find((p) => existsSync(p));
}

/** Where we looked and how to install it: the message of a missing binary. */
function missingBinaryMessage(kind) {
  const spec = specOf(kind);
  return [
    `${spec.binary} is not installed (looked on PATH and in ${spec.fallbackPaths.join(', ')}). Get it one of these ways:`,
    ...spec.install.map((line) => `  ${line}`),
  ].join('\n');
}

/** The binary, or an Error that says how to install it. */
function requireServerBinary(kind) {
  const bin = findServerBinary(kind);
  if (!bin) throw new Error(missingBinaryMessage(kind));
  return bin;
}

/**
 * Arguments of a private server on 127.0.0.1: nats-server with an optional monitoring port and
 * JetStream (stored in `dir`); redis-server with no snapshots and no AOF (its working files in
 * `dir`), or with `durable` the AOF fsynced once a second, as deployments run it
 * (docs/reliability.md); prometheus with `configFile`, its storage in `dir`.
 * @param {'nats' | 'redis' | 'prometheus'} kind
 * @param {{ port: number, dir?: string, monitorPort?: number, jetstream?: boolean, durable?: boolean, configFile?: string }} opts
 */
function serverArgs(kind, opts) {
  specOf(kind);
  if (!Number.isInteger(opts.port) || opts.port <= 0) throw new Error(`${kind}: port must be a positive integer, got ${opts.port}`);
  if (kind === 'nats') {
    const args = ['-a', '127.0.0.1', '-p', String(opts.port)];
    if (opts.monitorPort) args.push('-m', String(opts.monitorPort));
    if (opts.jetstream) {
      if (!opts.dir) throw new Error('nats: jetstream needs a store dir');
      args.push('-js', '-sd', opts.dir);
    }
    return args;
  }
  if (kind === 'prometheus') {
    if (!opts.configFile || !opts.dir) throw new Error('prometheus: needs configFile and dir (its storage)');
    return [`--config.file=${opts.configFile}`, `--storage.tsdb.path=${opts.dir}`, `--web.listen-address=127.0.0.1:${opts.port}`];
  }
  const persistence = opts.durable ? ['--appendonly', 'yes', '--appendfsync', 'everysec'] : ['--appendonly', 'no'];
  const args = ['--port', String(opts.port), '--bind', '127.0.0.1', '--save', '', ...persistence];
  if (opts.dir) args.push('--dir', opts.dir);
  return args;
}

module.exports = { SERVERS, findServerBinary, missingBinaryMessage, requireServerBinary, serverArgs };
