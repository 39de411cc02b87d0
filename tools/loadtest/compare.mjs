#!/usr/bin/env node
// `npm run bench:compare`: Relay against the Socket.IO reference peer and the raw-ws floor, one
// run, systems interleaved per scenario and repeat, the same load generator and scenario for all
// (tools/loadtest; members of each room alternate over two instances; 100-byte messages). It reads
// each server process's CPU (utime+stime) and RSS from /proc during the measured window and writes
// a markdown table with ratios into docs/benchmarks.md (between the bench:compare markers).
//   npm run bench:compare                      # light, medium, heavy, storm; 3 repeats
//   npm run bench:compare -- --quick           # a small smoke run (seconds), table to tmp/
//   options: --scenarios a,b --systems relay,socketio,ws --repeats N --doc FILE --no-build
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSystem, SYSTEMS } from '../reference-peer/systems.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TICKS_PER_S = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const PAGE_KIB = 4;
const JWT_SECRET = 'bench-compare-secret';
// 100-byte message texts: the payload "lt <n> <epoch ms with µs>" is about 25 characters.
const PADDING = 74;

const FULL = {
  light: { users: 500, rooms: 50, rate: 1, duration: 23, warmup: 3, workers: 2, title: 'light: 500 users, 50 rooms, 1 msg/s each' },
  medium: { users: 2000, rooms: 100, rate: 0.5, duration: 23, warmup: 3, workers: 2, title: 'medium: 2,000 users, 100 rooms, 0.5 msg/s each' },
  heavy: { users: 2000, rooms: 100, rate: 2, duration: 23, warmup: 3, workers: 2, drain: 15, title: 'heavy: 2,000 users, 100 rooms, 2 msg/s each' },
  // --ramp is only the deadline for the storm (connections go as fast as 500 in flight allow).
  storm: { users: 10000, rooms: 100, rate: 0, duration: 4, warmup: 0, workers: 2, inFlight: 500, ramp: 150, maxRepeats: 3, title: 'storm: 10,000 connections, each joins one of 100 rooms, 500 in flight' },
};
const QUICK = {
  light: { users: 40, rooms: 4, rate: 2, duration: 3, warmup: 1, workers: 1, title: 'quick light: 40 users, 4 rooms, 2 msg/s each' },
  storm: { users: 200, rooms: 4, rate: 0, duration: 1, warmup: 0, workers: 1, inFlight: 50, title: 'quick storm: 200 connections, 50 in flight' },
};

function parse(argv) {
  const o = { quick: false, build: true, repeats: undefined, scenarios: undefined, systems: ['relay', 'socketio', 'ws'], doc: undefined, baseline: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') o.quick = true;
    else if (a === '--no-build') o.build = false;
    else if (a === '--repeats') o.repeats = Number(value());
    else if (a === '--scenarios') o.scenarios = value().split(',');
    else if (a === '--systems') o.systems = value().split(',');
    else if (a === '--doc') o.doc = value();
    else if (a === '--baseline') o.baseline = value();
    else if (a === '--help') {
      console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 9).join('\n').replace(/^\/\/ ?/gm, ''));
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  const table = o.quick ? QUICK : FULL;
  o.scenarios ??= Object.keys(table);
  for (const s of o.scenarios) if (!table[s]) throw new Error(`unknown scenario ${s}; known: ${Object.keys(table).join(', ')}`);
  // --baseline DIR: bundles of an earlier build (a copy of dist/apps) run as one more system,
  // "Relay before", interleaved with the others: before/after from one run on one machine.
  if (o.baseline) {
    if (!existsSync(join(resolve(root, o.baseline), 'ws-gateway/main.js'))) throw new Error(`--baseline ${o.baseline} holds no ws-gateway/main.js`);
    o.systems = ['relay-baseline', ...o.systems.filter((s) => s !== 'relay-baseline')];
  }
  for (const s of o.systems) if (!SYSTEMS[s]) throw new Error(`unknown system ${s}; known: ${Object.keys(SYSTEMS).join(', ')}`);
  o.repeats ??= o.quick ? 1 : 3;
  if (!Number.isInteger(o.repeats) || o.repeats < 1 || o.repeats > 9) throw new Error('--repeats must be 1..9');
  o.doc ??= o.quick ? 'tmp/bench-compare/compare-quick.md' : 'docs/benchmarks.md';
  o.table = table;
  return o;
}

/** utime+stime (ticks) and RSS (KiB) of a process, or undefined when it is gone. */
function procStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ticks: Number(f[11]) + Number(f[12]), rssKiB: Number(f[21]) * PAGE_KIB };
  } catch {
    return undefined;
  }
}

function machineTicks() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + f[4];
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Samples every process of a system twice a second while the load runs. */
function sampler(processes) {
  const samples = [];
  const take = () => samples.push({ at: Date.now(), machine: machineTicks(), load1: loadavg()[0], procs: processes.map((p) => ({ ...p, ...procStat(p.pid) })) });
  take();
  const timer = setInterval(take, 500);
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

function runLoadtest(system, sc, out) {
  const args = [join(root, 'dist/tools/loadtest/main.js'), '--gateways', system.urls.join(','), '--protocol', system.protocol, '--jwt-secret', JWT_SECRET,
    '--users', sc.users, '--rooms', sc.rooms, '--rate', sc.rate, '--duration', sc.duration, '--warmup', sc.warmup, '--workers', sc.workers,
    '--padding', PADDING, '--drain', sc.drain ?? 8, '--out', out].map(String);
  if (sc.inFlight) args.push('--in-flight', String(sc.inFlight));
  if (sc.ramp) args.push('--ramp', String(sc.ramp));
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (d) => (tail = (tail + d.toString()).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    // The run is bounded by its own phases; this only guards against a hung generator.
    const guard = setTimeout(() => child.kill('SIGKILL'), (sc.duration + (sc.drain ?? 8) + (sc.ramp ?? 0) + 150) * 1000);
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolveRun({ code, tail });
    });
  });
}

/** CPU (% of one core) per process and in total, and machine busy %, between two instants. */
function cpuBetween(samples, from, to) {
  const first = samples.find((s) => s.at >= from) ?? samples[0];
  const last = [...samples].reverse().find((s) => s.at <= to) ?? samples[samples.length - 1];
  const seconds = Math.max(0.001, (last.at - first.at) / 1000);
  const perProcess = {};
  let total = 0;
  for (const p of last.procs) {
    const before = first.procs.find((q) => q.pid === p.pid);
    if (before?.ticks === undefined || p.ticks === undefined) continue;
    const pct = ((p.ticks - before.ticks) / TICKS_PER_S / seconds) * 100;
    perProcess[p.name] = pct;
    total += pct;
  }
  const machine = ((last.machine.busy - first.machine.busy) / Math.max(1, last.machine.total - first.machine.total)) * 100 * (Number(spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()) || 1);
  const loads = samples.filter((s) => s.at >= from && s.at <= to).map((s) => s.load1);
  return { seconds, total, perProcess, machine, load: loads.length ? [Math.min(...loads), Math.max(...loads)] : [] };
}

async function measure(system, name, sc, repeat, dir) {
  const out = join(dir, `${name}-${system.name}-${repeat}.json`);
  const idle = system.processes.map((p) => ({ ...p, ...procStat(p.pid) }));
  const s = sampler(system.processes);
  const { code, tail } = await runLoadtest(system, sc, out);
  const samples = s.stop();
  if (!existsSync(out)) return { system: system.name, scenario: name, repeat, error: `the load test produced no result (exit ${code}): ${tail.split('\n').slice(-5).join(' | ')}` };
  const report = JSON.parse(readFileSync(out, 'utf8'));
  const sendStart = Date.parse(report.startedAt) + report.phases.connectS * 1000;
  const result = { system: system.name, scenario: name, repeat, exit: code, pass: report.pass, failures: report.failures, errors: report.errors, messages: report.messages, connections: report.connections };
  if (sc.rate > 0) {
    const from = sendStart + sc.warmup * 1000;
    const to = sendStart + sc.duration * 1000;
    const cpu = cpuBetween(samples, from, to);
    const delivered = report.timeline.filter((t) => t.second >= sc.warmup && t.second < sc.duration).reduce((a, t) => a + t.delivered, 0);
    const deliveriesPerS = delivered / (sc.duration - sc.warmup);
    Object.assign(result, {
      p50: report.latency.e2eMs.p50,
      p99: report.latency.e2eMs.p99,
      deliveriesPerS,
      offeredPerS: (report.messages.sent / sc.duration) * (sc.users / sc.rooms),
      cpu,
      usPerDelivery: deliveriesPerS > 0 ? ((cpu.total / 100) * 1e6) / deliveriesPerS : undefined,
    });
  } else {
    // Connect+join storm: the connect phase ends 0.4 s after the last join (start and go delays).
    const connectS = Math.max(0.001, report.phases.connectS - 0.4);
    const held = samples.filter((x) => x.at >= sendStart && x.at <= sendStart + sc.duration * 1000).pop() ?? samples[samples.length - 1];
    const rss = (filter) =>
      held.procs.filter((p) => filter(p.name)).reduce((a, p) => a + ((p.rssKiB ?? 0) - (idle.find((q) => q.pid === p.pid)?.rssKiB ?? 0)), 0);
    const joined = report.connections.joined;
    Object.assign(result, {
      connectJoinP50: (report.connections.connectMs.p50 ?? 0) + (report.connections.joinMs.p50 ?? 0),
      connectJoinP99: (report.connections.connectMs.p99 ?? 0) + (report.connections.joinMs.p99 ?? 0),
      perSecond: joined / connectS,
      kibPerConnAll: joined ? rss(() => true) / joined : undefined,
      kibPerConnEdge: joined ? rss((n) => /^(gw-|sio-|floor)/.test(n)) / joined : undefined,
      cpu: cpuBetween(samples, Date.parse(report.startedAt), sendStart),
    });
  }
  return result;
}

const median = (values) => {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const fmtMs = (v) => (v === undefined ? '—' : v >= 1000 ? `${(v / 1000).toFixed(1)} s` : v >= 10 ? `${v.toFixed(0)} ms` : `${v.toFixed(1)} ms`);
const fmtN = (v, d = 0) => (v === undefined ? '—' : v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const ratio = (a, b) => (a === undefined || b === undefined || b === 0 ? '—' : `${(a / b).toFixed(1)}x`);

function outcome(runs) {
  const bad = runs.filter((r) => r.error || !r.pass);
  if (bad.length === 0) return 'all delivered';
  const m = runs.map((r) => r.messages).filter(Boolean);
  const sum = (k) => m.reduce((a, x) => a + (x[k] ?? 0), 0);
  const errs = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.errors ?? {})) errs[k] = (errs[k] ?? 0) + v;
  const parts = [];
  if (sum('lost')) parts.push(`${fmtN(sum('lost'))} lost`);
  if (sum('failed')) parts.push(`${fmtN(sum('failed'))} refused`);
  if (sum('unacked')) parts.push(`${fmtN(sum('unacked'))} unacked`);
  const codes = Object.entries(errs).map(([k, v]) => `${k} ${fmtN(v)}`).join(', ');
  if (codes) parts.push(codes);
  for (const r of runs) if (r.error) parts.push(r.error.slice(0, 160));
  return `${parts.join('; ') || 'failed'} (over ${runs.length} run${runs.length > 1 ? 's' : ''})`;
}

function renderTable(opts, results, started) {
  const lines = [];
  const load = results.flatMap((r) => r.cpu?.load ?? []);
  lines.push(`Run ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, \`npm run bench:compare${opts.quick ? ' -- --quick' : ''}\`: ${opts.repeats} repeat(s) per cell (the storm ${Math.min(opts.repeats, opts.table.storm?.maxRepeats ?? opts.repeats)}), medians shown; systems interleaved within each repeat; 1-minute load average during the measured windows ${load.length ? `${Math.min(...load).toFixed(1)}-${Math.max(...load).toFixed(1)}` : 'n/a'} (this benchmark alone accounts for about 2 on this 2-core machine: higher means other jobs ran too).`);
  lines.push('');
  lines.push('| load | system | p50 | p99 | deliveries/s | server CPU (% of a core) | µs CPU / delivery | vs Socket.IO (p99, CPU/delivery) | vs floor (p99) | machine busy | result |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const storm = [];
  for (const scenario of opts.scenarios) {
    const sc = opts.table[scenario];
    if (sc.rate === 0) {
      storm.push(scenario);
      continue;
    }
    const cell = {};
    for (const system of opts.systems) {
      const runs = results.filter((r) => r.scenario === scenario && r.system === system);
      cell[system] = {
        runs,
        p50: median(runs.map((r) => r.p50)),
        p99: median(runs.map((r) => r.p99)),
        dps: median(runs.map((r) => r.deliveriesPerS)),
        cpu: median(runs.map((r) => r.cpu?.total)),
        us: median(runs.map((r) => r.usPerDelivery)),
        machine: median(runs.map((r) => r.cpu?.machine)),
      };
    }
    opts.systems.forEach((system, i) => {
      const c = cell[system];
      const sio = cell.socketio;
      const floor = cell.ws;
      lines.push(
        `| ${i === 0 ? sc.title : ''} | ${SYSTEMS[system].label} | ${fmtMs(c.p50)} | ${fmtMs(c.p99)} | ${fmtN(c.dps)} | ${fmtN(c.cpu)} | ${fmtN(c.us, 1)} | ${system === 'socketio' || !sio ? '' : `${ratio(c.p99, sio.p99)}, ${ratio(c.us, sio.us)}`} | ${system === 'ws' || !floor ? '' : ratio(c.p99, floor.p99)} | ${fmtN(c.machine)} % | ${outcome(c.runs)} |`,
      );
    });
  }
  if (storm.length) {
    lines.push('');
    lines.push('| connect+join storm | system | connect+join p50 | p99 | connections/s | KiB RSS per connection (all processes) | KiB per connection (gateways / instances only) | result |');
    lines.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const scenario of storm) {
      opts.systems.forEach((system, i) => {
        const runs = results.filter((r) => r.scenario === scenario && r.system === system);
        lines.push(
          `| ${i === 0 ? opts.table[scenario].title : ''} | ${SYSTEMS[system].label} | ${fmtMs(median(runs.map((r) => r.connectJoinP50)))} | ${fmtMs(median(runs.map((r) => r.connectJoinP99)))} | ${fmtN(median(runs.map((r) => r.perSecond)))} | ${fmtN(median(runs.map((r) => r.kibPerConnAll)), 1)} | ${fmtN(median(runs.map((r) => r.kibPerConnEdge)), 1)} | ${outcome(runs)} |`,
        );
      });
    }
  }
  for (const system of ['relay-baseline', 'relay']) {
    const relay = results.filter((r) => r.system === system && r.cpu?.perProcess && r.usPerDelivery !== undefined);
    if (!relay.length) continue;
    lines.push('');
    lines.push(`${SYSTEMS[system].label}: server CPU by process (% of one core, median over repeats):`);
    lines.push('');
    for (const scenario of opts.scenarios) {
      const runs = relay.filter((r) => r.scenario === scenario);
      if (!runs.length) continue;
      const names = Object.keys(runs[0].cpu.perProcess).sort();
      lines.push(`- ${scenario}: ${names.map((n) => `${n} ${fmtN(median(runs.map((r) => r.cpu.perProcess[n])))}`).join(', ')}`);
    }
  }
  return lines.join('\n');
}

const START = '<!-- bench:compare:start -->';
const END = '<!-- bench:compare:end -->';

function writeDoc(file, table) {
  const path = resolve(root, file);
  mkdirSync(dirname(path), { recursive: true });
  const block = `${START}\n${table}\n${END}`;
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  const next = a !== -1 && b > a ? `${text.slice(0, a)}${block}${text.slice(b + END.length)}` : `${text}${text && !text.endsWith('\n') ? '\n' : ''}\n## Relay vs Socket.IO vs the floor (\`npm run bench:compare\`)\n\n${block}\n`;
  writeFileSync(path, next);
  return path;
}

async function main() {
  const opts = parse(process.argv.slice(2));
  const started = new Date();
  const dir = join(root, 'tmp/bench-compare', started.toISOString().replace(/[:.]/g, '-'));
  mkdirSync(dir, { recursive: true });
  if (opts.build) {
    console.log('bench:compare: building the apps and the load tester (nx) ...');
    const b = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', 'ws-gateway,chat-service,presence-service,notification-service,loadtest', '--output-style=static'], { cwd: root, encoding: 'utf8', env: { ...process.env, NX_TUI: 'false' } });
    if (b.status !== 0) throw new Error(`build failed:\n${b.stdout}${b.stderr}`);
  }
  for (const f of ['dist/tools/loadtest/main.js', 'dist/apps/ws-gateway/main.js']) if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run without --no-build`);

  const results = [];
  const stop = [];
  try {
    for (const scenario of opts.scenarios) {
      const sc = opts.table[scenario];
      for (let repeat = 1; repeat <= Math.min(opts.repeats, sc.maxRepeats ?? opts.repeats); repeat++) {
        // Interleaved: each system in turn, its stack fresh for every run (no state carried over).
        for (const name of opts.systems) {
          const system = await startSystem(name, { dir: join(dir, `${name}-${scenario}-${repeat}`), jwtSecret: JWT_SECRET, appsDir: name === 'relay-baseline' ? resolve(root, opts.baseline) : process.env.APPS_DIR });
          stop.push(system);
          console.log(`bench:compare: ${scenario} #${repeat} ${name} ...`);
          const r = await measure(system, scenario, sc, repeat, dir);
          results.push(r);
          await system.stop();
          stop.pop();
          console.log(`  ${r.error ?? (r.p99 !== undefined ? `p50 ${fmtMs(r.p50)} p99 ${fmtMs(r.p99)} ${fmtN(r.deliveriesPerS)} deliveries/s CPU ${fmtN(r.cpu.total)} % ${fmtN(r.usPerDelivery, 1)} µs/delivery` : `connect+join p50 ${fmtMs(r.connectJoinP50)} ${fmtN(r.perSecond)}/s ${fmtN(r.kibPerConnEdge, 1)} KiB/conn (edge)`)}${r.pass === false ? ` [${r.failures.join('; ')}]` : ''}`);
        }
      }
    }
  } finally {
    for (const s of stop) await s.stop();
  }
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify({ started, options: { ...opts, table: undefined }, results }, null, 2)}\n`);
  const table = renderTable(opts, results, started);
  const path = writeDoc(opts.doc, table);
  console.log(`\n${table}\n\nbench:compare: table written to ${path}; raw results in ${dir}/results.json`);
  return results.some((r) => r.error) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`bench:compare: ${err.message}`);
    process.exit(3);
  },
);
