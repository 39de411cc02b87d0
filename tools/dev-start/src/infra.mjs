// NATS and Redis for local development: use what already answers at NATS_URL / REDIS_URL, or start
// nats-server / redis-server from the local binaries on exactly that port.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { endpointOf, freePort, isLocalHost, sleep, tcpAnswers } from './net.mjs';
import { info } from './output.mjs';
import { STAGE } from './supervisor.mjs';

const SERVERS = {
  nats: {
    binary: 'nats-server',
    fallbackPaths: ['/usr/sbin/nats-server', '/usr/local/bin/nats-server', '/opt/homebrew/bin/nats-server'],
    defaultPort: 4222,
    envName: 'NATS_URL',
    install: ['apt-get install -y nats-server        (Debian/Ubuntu)', 'brew install nats-server              (macOS)', 'docker compose up -d nats              (any OS with Docker)'],
  },
  redis: {
    binary: 'redis-server',
    fallbackPaths: ['/usr/bin/redis-server', '/usr/local/bin/redis-server', '/opt/homebrew/bin/redis-server'],
    defaultPort: 6379,
    envName: 'REDIS_URL',
    install: ['apt-get install -y redis-server       (Debian/Ubuntu)', 'brew install redis                     (macOS)', 'docker compose up -d redis             (any OS with Docker)'],
  },
};

export class InfraError extends Error {
  name = 'InfraError';
}

function findBinary(spec) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, spec.binary))) return join(dir, spec.binary);
  }
  return spec.fallbackPaths.find((p) => existsSync(p));
}

function missingBinaryMessage(spec, url) {
  return [
    `Nothing answers at ${spec.envName}=${url} and ${spec.binary} is not installed (looked on PATH and in ${spec.fallbackPaths.join(', ')}).`,
    `Get it one of these ways, then run npm start again:`,
    ...spec.install.map((l) => `  ${l}`),
    `or point ${spec.envName} at a running server.`,
  ].join('\n');
}

/**
 * Makes sure one server answers. Returns { started: boolean, url, extra?, cleanup() }.
 * Starts the server only on a local address; a remote URL that does not answer is an error.
 */
async function ensureServer(kind, url, supervisor, opts) {
  const spec = SERVERS[kind];
  const { host, port } = endpointOf(url, spec.defaultPort);
  if (await tcpAnswers(host, port)) {
    info(`${spec.binary.replace('-server', '')}: using the server already answering at ${url}`);
    return { started: false, url, cleanup: () => undefined };
  }
  if (!opts.infra) throw new InfraError(`Nothing answers at ${spec.envName}=${url} and --no-infra was given: start it yourself or drop --no-infra.`);
  if (!isLocalHost(host)) throw new InfraError(`Nothing answers at ${spec.envName}=${url}; it is not a local address, so it cannot be started here.`);
  const bin = findBinary(spec);
  if (!bin) throw new InfraError(missingBinaryMessage(spec, url));

  const dir = mkdtempSync(join(tmpdir(), `relay-dev-${kind}-`));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  const extra = {};
  let args;
  if (kind === 'nats') {
    extra.monitorPort = await freePort(8222);
    args = ['-a', '127.0.0.1', '-p', String(port), '-m', String(extra.monitorPort), '-js', '-sd', dir];
  } else {
    args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  }
  info(`starting ${bin} ${args.join(' ')}`);
  const entry = supervisor.start({ name: kind, command: bin, args, env: process.env, stage: STAGE.infra });
  info(`started ${spec.binary} pid ${entry.pid}`);

  const deadline = Date.now() + 15000;
  while (!(await tcpAnswers('127.0.0.1', port, 500))) {
    if (entry.exit) throw new InfraError(`${spec.binary} exited during start-up (port ${port} taken by something that is not ${kind}?); see its log above.`);
    if (Date.now() > deadline) throw new InfraError(`${spec.binary} did not open port ${port} within 15 s; see its log above.`);
    await sleep(50);
  }
  return { started: true, url, pid: entry.pid, extra, cleanup };
}

/** Both servers; on failure whatever was started is left to the supervisor to stop. */
export async function ensureInfra(opts, supervisor, cleanups) {
  const nats = await ensureServer('nats', opts.natsUrl, supervisor, opts);
  cleanups.push(nats.cleanup);
  const redis = await ensureServer('redis', opts.redisUrl, supervisor, opts);
  cleanups.push(redis.cleanup);
  return { nats, redis };
}
