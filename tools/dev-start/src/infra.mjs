// NATS and Redis for local development: use what already answers at NATS_URL / REDIS_URL, or start
// nats-server / redis-server from the local binaries on exactly that port.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findServerBinary, missingBinaryMessage, SERVERS, serverArgs } from '../../../libs/local-servers/src/index.cjs';
import { generateNatsAuth } from '../../nats-auth/nats-auth.mjs';
import { InfraError } from './infra-error.mjs';
import { startNatsCluster } from './nats-cluster.mjs';
import { endpointOf, freePort, isLocalHost, sleep, tcpAnswers } from './net.mjs';
import { info } from './output.mjs';
import { STAGE } from './supervisor.mjs';

/**
 * A NATS server we did not start (docker compose up -d nats) wants the keys made for it by
 * `node tools/nats-auth/nats-auth.mjs`; without them the services connect without credentials.
 */
function existingNatsAuth(root) {
  const file = join(root ?? process.cwd(), 'deploy/nats-auth/generated/credentials.json');
  if (!existsSync(file)) return undefined;
  info(`nats: services use the keys in ${file}`);
  return JSON.parse(readFileSync(file, 'utf8'));
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
    return { started: false, url, extra: { auth: kind === 'nats' ? existingNatsAuth(opts.root) : undefined }, cleanup: () => undefined };
  }
  if (!opts.infra) throw new InfraError(`Nothing answers at ${spec.envName}=${url} and --no-infra was given: start it yourself or drop --no-infra.`);
  if (!isLocalHost(host)) throw new InfraError(`Nothing answers at ${spec.envName}=${url}; it is not a local address, so it cannot be started here.`);
  const bin = findServerBinary(kind);
  if (!bin) throw new InfraError(`Nothing answers at ${spec.envName}=${url} and ${missingBinaryMessage(kind)}\nthen run npm start again, or point ${spec.envName} at a running server.`);

  const extra = {};
  let dir;
  let cleanup = () => undefined;
  if (kind === 'nats') {
    dir = mkdtempSync(join(tmpdir(), `relay-dev-${kind}-`));
    cleanup = () => rmSync(dir, { recursive: true, force: true });
    extra.monitorPort = await freePort(8222);
  } else {
    // Durable like production (docs/reliability.md): AOF, fsync once a second, in a folder that
    // outlives the run (tmp/ is ignored by git), so history survives a restart of `npm start`.
    dir = join(process.cwd(), 'tmp', `dev-redis-${port}`);
    mkdirSync(dir, { recursive: true });
  }
  const args = serverArgs(kind, { port, dir: kind === 'nats' ? join(dir, 'js') : dir, monitorPort: extra.monitorPort, jetstream: kind === 'nats', durable: kind === 'redis' });
  if (kind === 'nats') {
    // Per-service users with the catalog's permissions, fresh for every run: the same generator
    // as docker-compose and the tests, so the everyday path is the secure one.
    extra.auth = generateNatsAuth({ out: join(dir, 'auth') });
    writeFileSync(join(dir, 'server.conf'), 'include "auth/auth.conf"\n');
    args.unshift('-c', join(dir, 'server.conf'));
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

/**
 * Both servers (NATS as a cluster with --nats-cluster); `nats.url` is what the apps get as NATS_URL.
 * On failure whatever was started is left to the supervisor to stop.
 */
export async function ensureInfra(opts, supervisor, cleanups) {
  const nats = opts.natsCluster ? await startNatsCluster(opts, supervisor) : await ensureServer('nats', opts.natsUrl, supervisor, opts);
  cleanups.push(nats.cleanup);
  const redis = await ensureServer('redis', opts.redisUrl, supervisor, opts);
  cleanups.push(redis.cleanup);
  return { nats, redis };
}
