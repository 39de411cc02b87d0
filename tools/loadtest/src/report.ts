import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { computeDeliveryTotals } from './accounting';
import type { LoadtestOptions } from './args';
import type { RunOutcome } from './coordinator';
import { Histogram, type LatencySummary } from './histogram';
import type { Counters } from './messages';
import { emptyCounters } from './stats';

export interface TimelinePoint {
  second: number;
  sent: number;
  delivered: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** The JSON result of one run (schema 1). Field names are stable: benchmarks and CI read them. */
export interface LoadtestReport {
  tool: 'relay-loadtest';
  schema: 1;
  /** True when every acked message reached every member exactly once, in order, and nothing failed. */
  pass: boolean;
  failures: string[];
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; cpuModel: string; memoryMiB: number; node: string; platform: string };
  options: Omit<LoadtestOptions, 'jwtSecret'> & { tokens: 'local' | 'dev-token' };
  phases: { connectS: number; sendS: number; drainS: number };
  connections: {
    users: number;
    connected: number;
    connectFailed: number;
    joined: number;
    joinFailed: number;
    /** Closed by the server during the run. */
    dropped: number;
    connectMs: LatencySummary;
    joinMs: LatencySummary;
  };
  messages: {
    sent: number;
    acked: number;
    /** Sends answered with an error frame (see errors). */
    failed: number;
    /** Sends with neither `sent` nor an error by the end of the drain. */
    unacked: number;
    expectedDeliveries: number;
    received: number;
    lost: number;
    duplicates: number;
    outOfOrder: number;
    /** Deliveries of messages whose `sent` never came. */
    unconfirmed: number;
    roomsWithLoss: string[];
  };
  throughput: { sentPerS: number; ackedPerS: number; deliveriesPerS: number };
  latency: { e2eMs: LatencySummary; ackMs: LatencySummary };
  errors: Record<string, number>;
  timeline: TimelinePoint[];
  /** The e2e latency distribution, for plotting. */
  distribution: Array<{ percentile: number; ms: number }>;
}

export const DISTRIBUTION_PERCENTILES = [0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95, 97, 98, 99, 99.5, 99.9, 99.95, 99.99, 100];

const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Merges the workers' results into the report and decides pass/fail. */
export function buildReport(options: LoadtestOptions, outcome: RunOutcome): LoadtestReport {
  const counters: Counters = emptyCounters();
  const errors: Record<string, number> = {};
  const e2e = new Histogram();
  const ack = new Histogram();
  const connect = new Histogram();
  const join = new Histogram();
  const timeline = new Map<number, { sent: number; delivered: number; e2e: Histogram }>();
  let unacked = 0;
  for (const r of outcome.results) {
    for (const k of Object.keys(counters) as Array<keyof Counters>) counters[k] += r.counters[k];
    for (const [code, n] of Object.entries(r.errors)) errors[code] = (errors[code] ?? 0) + n;
    unacked += r.unacked;
    e2e.merge(r.histograms.e2e);
    ack.merge(r.histograms.ack);
    connect.merge(r.histograms.connect);
    join.merge(r.histograms.join);
    for (const t of r.timeline) {
      const b = timeline.get(t.second) ?? { sent: 0, delivered: 0, e2e: new Histogram() };
      b.sent += t.sent;
      b.delivered += t.delivered;
      b.e2e.merge(t.e2e);
      timeline.set(t.second, b);
    }
  }
  const totals = computeDeliveryTotals(
    outcome.results.flatMap((r) => r.senders),
    outcome.results.flatMap((r) => r.receivers),
  );

  const failures: string[] = [];
  if (totals.lost > 0) failures.push(`${totals.lost} of ${totals.expected} expected deliveries lost (rooms: ${totals.roomsWithLoss.slice(0, 5).join(', ')}${totals.roomsWithLoss.length > 5 ? ', ...' : ''})`);
  if (counters.duplicates > 0) failures.push(`${counters.duplicates} duplicate deliveries`);
  if (counters.outOfOrder > 0) failures.push(`${counters.outOfOrder} out-of-order deliveries`);
  if (counters.connectFailed + counters.joinFailed > 0) failures.push(`${counters.connectFailed} connections and ${counters.joinFailed} joins failed`);
  if (counters.dropped > 0) failures.push(`${counters.dropped} connections closed by the server`);
  if (counters.failed > 0) failures.push(`${counters.failed} sends refused with an error`);
  if (unacked > 0) failures.push(`${unacked} sends never acknowledged`);
  if (options.rate > 0 && counters.acked === 0) failures.push('no message was acknowledged');

  const sendS = (outcome.sendEndAt - outcome.sendStartAt) / 1000;
  const { jwtSecret, ...shown } = options;
  const cpuList = cpus();
  return {
    tool: 'relay-loadtest',
    schema: 1,
    pass: failures.length === 0,
    failures,
    startedAt: new Date(outcome.startedAt).toISOString(),
    finishedAt: new Date(outcome.finishedAt).toISOString(),
    machine: { cpus: cpuList.length, cpuModel: cpuList[0]?.model ?? 'unknown', memoryMiB: Math.round(totalmem() / 2 ** 20), node: process.version, platform: process.platform },
    options: { ...shown, tokens: jwtSecret ? 'local' : 'dev-token' },
    phases: {
      connectS: round((outcome.sendStartAt - outcome.startedAt) / 1000, 2),
      sendS: round(sendS, 2),
      drainS: round((outcome.drainEndAt - outcome.sendEndAt) / 1000, 2),
    },
    connections: {
      users: options.users,
      connected: counters.connected,
      connectFailed: counters.connectFailed,
      joined: counters.joined,
      joinFailed: counters.joinFailed,
      dropped: counters.dropped,
      connectMs: connect.summary(),
      joinMs: join.summary(),
    },
    messages: {
      sent: counters.sent,
      acked: counters.acked,
      failed: counters.failed,
      unacked,
      expectedDeliveries: totals.expected,
      received: totals.received,
      lost: totals.lost,
      duplicates: counters.duplicates,
      outOfOrder: counters.outOfOrder,
      unconfirmed: totals.unconfirmed,
      roomsWithLoss: totals.roomsWithLoss,
    },
    throughput: {
      sentPerS: round(counters.sent / sendS),
      ackedPerS: round(counters.acked / sendS),
      deliveriesPerS: round(totals.received / sendS),
    },
    latency: { e2eMs: e2e.summary(), ackMs: ack.summary() },
    errors,
    timeline: [...timeline.entries()]
      .sort(([a], [b]) => a - b)
      .map(([second, b]) => ({
        second,
        sent: b.sent,
        delivered: b.delivered,
        p50: round(b.e2e.percentile(50), 3),
        p95: round(b.e2e.percentile(95), 3),
        p99: round(b.e2e.percentile(99), 3),
        max: round(b.e2e.count ? b.e2e.max : 0, 3),
      })),
    distribution: e2e.count ? DISTRIBUTION_PERCENTILES.map((p) => ({ percentile: p, ms: round(e2e.percentile(p), 3) })) : [],
  };
}

export function writeFile(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} ms`;

/** The closing summary printed to the terminal. */
export function summaryText(r: LoadtestReport): string {
  const m = r.messages;
  const lines = [
    `${r.pass ? 'PASS' : 'FAIL'}  ${r.options.users} users, ${r.options.rooms} rooms, ${r.options.rate} msg/s each, ${r.phases.sendS} s, ${r.options.gateways.length} gateway(s), ${r.options.workers} worker(s)`,
    `connections  ${r.connections.joined}/${r.connections.users} joined, connect p50 ${ms(r.connections.connectMs.p50)} p99 ${ms(r.connections.connectMs.p99)} max ${ms(r.connections.connectMs.max)}`,
    `messages     sent ${m.sent}, acked ${m.acked}, failed ${m.failed}, unacked ${m.unacked}`,
    `deliveries   expected ${m.expectedDeliveries}, received ${m.received}, lost ${m.lost}, duplicates ${m.duplicates}, out-of-order ${m.outOfOrder}`,
    `throughput   ${r.throughput.sentPerS} sent/s, ${r.throughput.deliveriesPerS} deliveries/s`,
    `e2e latency  p50 ${ms(r.latency.e2eMs.p50)}  p95 ${ms(r.latency.e2eMs.p95)}  p99 ${ms(r.latency.e2eMs.p99)}  max ${ms(r.latency.e2eMs.max)}`,
    `send->sent   p50 ${ms(r.latency.ackMs.p50)}  p95 ${ms(r.latency.ackMs.p95)}  p99 ${ms(r.latency.ackMs.p99)}  max ${ms(r.latency.ackMs.max)}`,
  ];
  const errors = Object.entries(r.errors);
  if (errors.length) lines.push(`errors       ${errors.map(([c, n]) => `${c} ${n}`).join(', ')}`);
  for (const f of r.failures) lines.push(`failure      ${f}`);
  return lines.join('\n');
}
