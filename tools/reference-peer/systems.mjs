// Starts and stops the three systems the comparison benchmark drives, each on private ports and
// with the same JWT secret: Relay (tools/loadtest/bench-stack.sh: 2 gateways, 2 chat-services,
// presence, notification, nats-server, redis-server), the Socket.IO reference peer (2 instances +
// its own redis-server) and the raw-ws floor (1 process). Every server process is listed with a
// name and pid, so the benchmark can read its CPU and memory from /proc.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const here = join(root, 'tools/reference-peer');

async function waitHttp(url, timeoutMs = 60000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet: try again below
    }
    if (Date.now() > until) throw new Error(`${url} not ready within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function startProcess(dir, name, command, args, env) {
  const log = openSync(join(dir, `${name}.log`), 'w');
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', log, log], detached: false });
  return { name, pid: child.pid, child };
}

async function stopProcesses(procs) {
  for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGTERM');
  const until = Date.now() + 5000;
  while (procs.some((p) => p.child.exitCode === null && p.child.signalCode === null) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
}

function redis(dir, port) {
  mkdirSync(join(dir, 'redis'), { recursive: true });
  return startProcess(dir, 'redis', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', join(dir, 'redis')], {});
}

async function waitRedis(port) {
  const until = Date.now() + 10000;
  while (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() !== 'PONG') {
    if (Date.now() > until) throw new Error(`redis on ${port} not ready`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Relay as the benchmark stack script runs it (production-like bundles from dist/apps, LOG_LEVEL=warn). */
async function startRelay({ dir, basePort, jwtSecret, gatewayEnv, appsDir }) {
  const env = { ...process.env, BENCH_DIR: dir, BASE_PORT: String(basePort), JWT_SECRET: jwtSecret, GATEWAY_ENV: gatewayEnv ?? '', APPS_DIR: appsDir ?? join(root, 'dist/apps') };
  const script = join(root, 'tools/loadtest/bench-stack.sh');
  const started = spawnSync('bash', [script, 'start'], { cwd: root, env, encoding: 'utf8' });
  if (started.status !== 0) {
    spawnSync('bash', [script, 'stop'], { cwd: root, env });
    throw new Error(`relay stack did not start: ${started.stderr}${started.stdout}`);
  }
  const pidDir = join(dir, 'pids');
  const processes = readdirSync(pidDir).map((name) => ({ name, pid: Number(readFileSync(join(pidDir, name), 'utf8').trim()) }));
  return {
    name: 'relay',
    urls: started.stdout.trim().split('\n').pop().split(','),
    protocol: 'relay',
    processes,
    stop: async () => {
      spawnSync('bash', [script, 'stop'], { cwd: root, env });
    },
  };
}

async function startSocketIo({ dir, basePort, jwtSecret }) {
  const redisPort = basePort + 379;
  const procs = [redis(dir, redisPort)];
  await waitRedis(redisPort);
  const ports = [basePort + 80, basePort + 81];
  ports.forEach((port, i) =>
    procs.push(startProcess(dir, `sio-${i + 1}`, process.execPath, [join(here, 'socketio-server.mjs')], { PORT: String(port), REDIS_URL: `redis://127.0.0.1:${redisPort}`, JWT_SECRET: jwtSecret })),
  );
  await Promise.all(ports.map((port) => waitHttp(`http://127.0.0.1:${port}/readyz`)));
  return { name: 'socketio', urls: ports.map((p) => `ws://127.0.0.1:${p}/ws`), protocol: 'socketio', processes: procs.map(({ name, pid }) => ({ name, pid })), stop: () => stopProcesses(procs) };
}

async function startFloor({ dir, basePort, jwtSecret }) {
  const port = basePort + 80;
  const procs = [startProcess(dir, 'floor', process.execPath, [join(here, 'ws-floor-server.mjs')], { PORT: String(port), JWT_SECRET: jwtSecret })];
  await waitHttp(`http://127.0.0.1:${port}/readyz`);
  // One process: both "instances" of the scenario are the same server.
  return { name: 'ws', urls: [`ws://127.0.0.1:${port}/ws`], protocol: 'relay', processes: procs.map(({ name, pid }) => ({ name, pid })), stop: () => stopProcesses(procs) };
}

export const SYSTEMS = {
  relay: { label: 'Relay', start: startRelay },
  'relay-baseline': { label: 'Relay before (--baseline build)', start: startRelay },
  socketio: { label: 'Socket.IO 4.8 x2 + Redis adapter', start: startSocketIo },
  ws: { label: 'raw `ws`, 1 process (the floor)', start: startFloor },
};

/** Port offsets from a system's base port that any of the systems uses. */
const OFFSETS = [80, 81, 101, 102, 103, 104, 222, 223, 379];

function portFree(port) {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });
}

/** A base port (below the ephemeral range) whose every offset is free now; others run benchmarks and tests here too. */
async function freeBase() {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + 250 * Math.floor(Math.random() * 48);
    if ((await Promise.all(OFFSETS.map((o) => portFree(base + o)))).every(Boolean)) return base;
  }
  throw new Error('no free port range found for a benchmark system');
}

/** Starts one system in `dir` (logs, pid files) on ports from `basePort` (or a free range) up. */
export async function startSystem(name, opts) {
  const system = SYSTEMS[name];
  if (!system) throw new Error(`unknown system ${name}; known: ${Object.keys(SYSTEMS).join(', ')}`);
  mkdirSync(opts.dir, { recursive: true });
  const started = await system.start({ ...opts, basePort: opts.basePort ?? (await freeBase()) });
  return { ...started, name };
}
