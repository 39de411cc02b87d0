#!/usr/bin/env node
// Presence benchmark: a room with 10,000 members, driven over NATS exactly as gateways drive it.
//   npx nx build presence-service && node tools/bench-presence/bench.mjs [--members 10000] [--gateways 4]
//     [--concurrency 64] [--queries 200] [--instances 1]
// Starts a private nats-server, redis-server and the built presence-service (dist/apps/presence-service),
// measures member-event throughput (open+join of every member, then a whole gateway expiring) and
// presence query latency, prints the figures, and stops everything by itself (hard limit 180 s).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, headers } from 'nats';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const MEMBERS = arg('members', 10000);
const GATEWAYS = arg('gateways', 4);
const CONCURRENCY = arg('concurrency', 64);
const QUERIES = arg('queries', 200);
const INSTANCES = arg('instances', 1);
const LEASE_MS = 2000;
const HARD_LIMIT_MS = 180000;

const children = [];
const dirs = [];
function cleanup() {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
const hardLimit = setTimeout(() => {
  console.error(`bench: hard limit of ${HARD_LIMIT_MS} ms reached, stopping`);
  cleanup();
  process.exit(2);
}, HARD_LIMIT_MS);
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

const freePort = () =>
  new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
const bin = (name, fallback) => {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, name))) return join(dir, name);
  if (existsSync(fallback)) return fallback;
  throw new Error(`${name} not found`);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(probe, what, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}
function start(cmd, args, env = {}) {
  const c = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let err = '';
  c.stderr.on('data', (b) => (err = (err + b).slice(-4000)));
  c.on('exit', (code) => {
    if (code && code !== 0 && !stopping) console.error(`${cmd} exited ${code}: ${err}`);
  });
  children.push(c);
  return c;
}
let stopping = false;

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const fmt = (ms) => `${ms.toFixed(2)} ms`;

async function main() {
  const mainJs = join(root, 'dist/apps/presence-service/main.js');
  if (!existsSync(mainJs)) throw new Error(`${mainJs} missing: run npx nx build presence-service first`);
  const [natsPort, redisPort] = [await freePort(), await freePort()];
  const redisDir = mkdtempSync(join(tmpdir(), 'bench-presence-'));
  dirs.push(redisDir);
  start(bin('nats-server', '/usr/sbin/nats-server'), ['-a', '127.0.0.1', '-p', String(natsPort)]);
  start(bin('redis-server', '/usr/bin/redis-server'), ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', redisDir]);
  const healthPorts = [];
  for (let i = 0; i < INSTANCES; i++) {
    const hp = await freePort();
    healthPorts.push(hp);
    start(process.execPath, [mainJs], {
      NATS_URL: `nats://127.0.0.1:${natsPort}`,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      HEALTH_PORT: String(hp),
      INSTANCE_ID: `bench-presence-${i + 1}`,
      LOG_LEVEL: 'warn',
      GATEWAY_LEASE_MS: String(LEASE_MS),
      SWEEP_INTERVAL_MS: '200',
    });
  }
  for (const hp of healthPorts) await until(async () => (await fetch(`http://127.0.0.1:${hp}/readyz`)).status === 200, 'presence-service ready');

  const nc = await connect({ servers: `nats://127.0.0.1:${natsPort}` });
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  let seq = 0;
  async function request(subject, type, data) {
    const env = { id: `bench-${++seq}`, type, source: 'bench/presence', time: Date.now(), data };
    const h = headers();
    h.set('x-correlation-id', env.id);
    const msg = await nc.request(subject, enc.encode(JSON.stringify(env)), { timeout: 10000, headers: h });
    const reply = JSON.parse(dec.decode(msg.data));
    if (!reply.ok) throw new Error(`${type}: ${JSON.stringify(reply.error)}`);
    return reply.data;
  }
  const room = 'bench_room';
  const joins = [];
  const leaves = [];
  const sub = nc.subscribe(`chat.v1.room.${room}.member`, {
    callback: (_e, m) => {
      const e = JSON.parse(dec.decode(m.data)).data.event;
      (e === 'join' ? joins : leaves).push(performance.now());
    },
  });
  await nc.flush();

  const gws = Array.from({ length: GATEWAYS }, (_x, i) => ({ id: `bench_gw_${i}`, incarnation: `inc_${Date.now()}_${i}`, v: 0, sessions: 0, memberships: 0, alive: true }));
  const heartbeat = (gw) =>
    request('presence.v1.heartbeat', 'presence.heartbeat.v1', { gateway: gw.id, incarnation: gw.incarnation, v: gw.v, sessions: gw.sessions, memberships: gw.memberships, at: Date.now() });
  for (const gw of gws) await heartbeat(gw);
  const beats = setInterval(() => gws.filter((g) => g.alive).forEach((g) => void heartbeat(g).catch(() => undefined)), LEASE_MS / 4);

  // 1. Every member opens a session and joins the room, CONCURRENCY updates in flight.
  const updateMs = [];
  let next = 0;
  const t0 = performance.now();
  async function worker() {
    while (next < MEMBERS) {
      const i = next++;
      const gw = gws[i % GATEWAYS];
      const user = `user_${i}`;
      const session = `s_${i}`;
      for (const op of ['open', 'join']) {
        const started = performance.now();
        await request('presence.v1.session', 'presence.session.v1', {
          gateway: gw.id, incarnation: gw.incarnation, v: ++gw.v, session, user, op, ...(op === 'join' ? { room } : {}), at: Date.now(),
        });
        updateMs.push(performance.now() - started);
      }
      gw.sessions++;
      gw.memberships++;
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await until(async () => joins.length >= MEMBERS, `${MEMBERS} join events`);
  const joinSecs = (Math.max(...joins) - t0) / 1000;
  updateMs.sort((a, b) => a - b);

  // 2. Presence query of the full room, one at a time.
  const queryMs = [];
  let count = 0;
  for (let q = 0; q < QUERIES; q++) {
    const started = performance.now();
    const r = await request('presence.v1.members', 'presence.members.v1', { room });
    queryMs.push(performance.now() - started);
    count = r.count;
  }
  queryMs.sort((a, b) => a - b);

  // 3. One gateway stops heartbeating: all its members leave when its lease runs out.
  const dead = gws[0];
  dead.alive = false;
  const lastBeat = performance.now();
  await heartbeat(dead);
  const expected = Math.ceil(MEMBERS / GATEWAYS);
  await until(async () => leaves.length >= expected, `${expected} leave events`, LEASE_MS * 5);
  const expiryMs = Math.max(...leaves) - lastBeat;
  const burstMs = Math.max(...leaves) - Math.min(...leaves);
  clearInterval(beats);
  sub.unsubscribe();
  await nc.drain();

  console.log(`presence benchmark: ${MEMBERS} members in one room, ${GATEWAYS} gateways, ${INSTANCES} presence-service instance(s), concurrency ${CONCURRENCY}`);
  console.log(`  open+join of every member:  ${(2 * MEMBERS / joinSecs).toFixed(0)} updates/s, ${(MEMBERS / joinSecs).toFixed(0)} member join events/s (${joinSecs.toFixed(2)} s)`);
  console.log(`  update request latency:     p50 ${fmt(pct(updateMs, 50))}, p99 ${fmt(pct(updateMs, 99))}, max ${fmt(updateMs[updateMs.length - 1])}`);
  console.log(`  presence query (${count} users): p50 ${fmt(pct(queryMs, 50))}, p99 ${fmt(pct(queryMs, 99))}, max ${fmt(queryMs[queryMs.length - 1])} over ${QUERIES} queries`);
  console.log(`  gateway expiry (${expected} sessions, lease ${LEASE_MS} ms): last leave ${expiryMs.toFixed(0)} ms after the last heartbeat; the ${expected} leave events arrived within ${burstMs.toFixed(0)} ms`);
}

main()
  .then(() => {
    stopping = true;
    cleanup();
    clearTimeout(hardLimit);
    process.exit(0);
  })
  .catch((err) => {
    stopping = true;
    console.error(`bench failed: ${err.stack ?? err}`);
    cleanup();
    process.exit(1);
  });
