// Presence benchmark: a room with 10,000 members, driven over NATS exactly as gateways drive it
// (typed requests through @relay/bus), against private servers (@relay/local-servers) and the
// built presence-service. Prints the figures and stops everything by itself (hard limit 180 s).
//   npx nx run bench-presence:bench -- [--members 10000] [--gateways 4] [--concurrency 64] [--queries 200] [--instances 1]
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PresenceHeartbeat, PresenceRoomMembers, PresenceSessionUpdate, RoomMember } from '@relay/contracts';
import { Bus } from '@relay/bus';
import { requireServerBinary, serverArgs } from '@relay/local-servers';
import { connectNats, createLogger } from '@relay/service-kit';

const root = resolve(__dirname, '../../..');
const arg = (name: string, dflt: number) => {
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

const children: ChildProcess[] = [];
const dirs: string[] = [];
let stopping = false;
function cleanup(): void {
  stopping = true;
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
  new Promise<number>((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => res(port));
    });
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(probe: () => Promise<boolean>, what: string, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}
function start(cmd: string, args: string[], env: Record<string, string> = {}): void {
  const c = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let err = '';
  c.stderr?.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
  c.on('exit', (code) => {
    if (code && !stopping) console.error(`${cmd} exited ${code}: ${err}`);
  });
  children.push(c);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
const ready = async (port: number) => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200;

interface BenchGateway {
  id: string;
  incarnation: string;
  v: number;
  sessions: number;
  memberships: number;
  alive: boolean;
}

async function main(): Promise<void> {
  const mainJs = join(root, 'dist/apps/presence-service/main.js');
  if (!existsSync(mainJs)) throw new Error(`${mainJs} missing: run npx nx build presence-service first`);
  const [natsPort, natsMonitor, redisPort] = [await freePort(), await freePort(), await freePort()];
  const redisDir = mkdtempSync(join(tmpdir(), 'bench-presence-'));
  dirs.push(redisDir);
  start(requireServerBinary('nats'), serverArgs('nats', { port: natsPort, monitorPort: natsMonitor }));
  start(requireServerBinary('redis'), serverArgs('redis', { port: redisPort, dir: redisDir }));
  await until(async () => (await fetch(`http://127.0.0.1:${natsMonitor}/healthz`)).status === 200, 'nats-server');
  const healthPorts: number[] = [];
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
  for (const hp of healthPorts) await until(() => ready(hp), 'presence-service ready');

  const logger = createLogger({ service: 'bench-presence', instanceId: 'bench', level: 'warn' });
  const nc = await connectNats({ url: `nats://127.0.0.1:${natsPort}`, name: 'bench-presence', logger });
  const bus = new Bus(nc, { source: 'bench/presence', logger });
  const room = 'bench_room';
  const joins: number[] = [];
  const leaves: number[] = [];
  const sub = bus.subscribe(RoomMember, { room }, (evt) => {
    (evt.event === 'join' ? joins : leaves).push(performance.now());
  });
  await bus.flush();

  const gws: BenchGateway[] = Array.from({ length: GATEWAYS }, (_x, i) => ({
    id: `bench_gw_${i}`,
    incarnation: `inc_${Date.now()}_${i}`,
    v: 0,
    sessions: 0,
    memberships: 0,
    alive: true,
  }));
  const heartbeat = (gw: BenchGateway) =>
    bus.request(PresenceHeartbeat, { gateway: gw.id, incarnation: gw.incarnation, v: gw.v, sessions: gw.sessions, memberships: gw.memberships, at: Date.now() }, { timeoutMs: 10000 });
  for (const gw of gws) await heartbeat(gw);
  const beats = setInterval(() => gws.filter((g) => g.alive).forEach((g) => void heartbeat(g).catch(() => undefined)), LEASE_MS / 4);

  // 1. Every member opens a session and joins the room, CONCURRENCY updates in flight.
  const updateMs: number[] = [];
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < MEMBERS) {
      const i = next++;
      const gw = gws[i % GATEWAYS];
      const [user, session] = [`user_${i}`, `s_${i}`];
      for (const op of ['open', 'join'] as const) {
        const started = performance.now();
        const update = { gateway: gw.id, incarnation: gw.incarnation, v: ++gw.v, session, user, op, at: Date.now() };
        await bus.request(PresenceSessionUpdate, op === 'join' ? { ...update, room } : update, { timeoutMs: 10000 });
        updateMs.push(performance.now() - started);
      }
      gw.sessions++;
      gw.memberships++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await until(async () => joins.length >= MEMBERS, `${MEMBERS} join events`);
  const joinSecs = (Math.max(...joins) - t0) / 1000;
  updateMs.sort((a, b) => a - b);

  // 2. Presence query of the full room, one at a time (every page of it).
  const queryMs: number[] = [];
  let count = 0;
  for (let q = 0; q < QUERIES; q++) {
    const started = performance.now();
    let cursor: string | undefined;
    do {
      const page = await bus.request(PresenceRoomMembers, cursor ? { room, cursor } : { room }, { timeoutMs: 10000 });
      count = page.count ?? count;
      cursor = page.cursor;
    } while (cursor && cursor !== '0');
    queryMs.push(performance.now() - started);
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
  console.log(`  open+join of every member:  ${((2 * MEMBERS) / joinSecs).toFixed(0)} updates/s, ${(MEMBERS / joinSecs).toFixed(0)} member join events/s (${joinSecs.toFixed(2)} s)`);
  console.log(`  update request latency:     p50 ${fmt(pct(updateMs, 50))}, p99 ${fmt(pct(updateMs, 99))}, max ${fmt(updateMs[updateMs.length - 1])}`);
  console.log(`  presence query (${count} users): p50 ${fmt(pct(queryMs, 50))}, p99 ${fmt(pct(queryMs, 99))}, max ${fmt(queryMs[queryMs.length - 1])} over ${QUERIES} queries`);
  console.log(`  gateway expiry (${expected} sessions, lease ${LEASE_MS} ms): last leave ${expiryMs.toFixed(0)} ms after the last heartbeat; the ${expected} leave events arrived within ${burstMs.toFixed(0)} ms`);
  // Redis time per presence script call: one slot ({presence}) lives on one Redis thread, so
  // 1 s / this is the presence keyspace's ceiling whatever the cluster size (docs/deployment.md).
  const redisCli = join(dirname(requireServerBinary('redis')), 'redis-cli');
  const stats = execFileSync(redisCli, ['-p', String(redisPort), 'info', 'commandstats'], { encoding: 'utf8' });
  for (const m of stats.matchAll(/^cmdstat_evalsha:calls=(\d+),usec=\d+,usec_per_call=([\d.]+)/gm)) {
    console.log(`  redis evalsha: ${m[1]} calls, ${m[2]} us per call => one Redis thread runs at most ${Math.round(1e6 / Number(m[2]))} presence scripts/s`);
  }
}

main()
  .then(() => {
    cleanup();
    clearTimeout(hardLimit);
    process.exit(0);
  })
  .catch((err: unknown) => {
    console.error(`bench failed: ${(err as Error).stack ?? String(err)}`);
    cleanup();
    process.exit(1);
  });
