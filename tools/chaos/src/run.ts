/**
 * One chaos run from start to clean-up: the stack, the clients and their load, a baseline, then
 * each fault with recovery in between, a final settle without load and the verdict. Bounded by the
 * deadline: faults that no longer fit are skipped (and reported as skipped), never cut in half.
 */
import { cpus, loadavg } from 'node:os';
import { waitFor } from '@relay/testing';
import type { ChaosOptions } from './args';
import { ChaosStack } from './chaos-stack';
import { ChaosUser } from './chaos-user';
import { faultPlan, type Fault } from './faults';
import { Ledger, type PhaseStats } from './ledger';

export interface LostMessage {
  id: string;
  room: string;
  seq: number;
  phase: string;
  missedBy: number;
  inStore: boolean;
}

export interface ChaosResult {
  options: ChaosOptions;
  startedAt: string;
  durationS: number;
  phases: PhaseStats[];
  faults: { name: string; description: string }[];
  skipped: string[];
  totalAcked: number;
  lost: LostMessage[];
  duplicates: number;
  totalMentions: number;
  lostMentions: { messageId: string; mentioned: string; phase: string }[];
  mentionDuplicates: number;
  machine: { cpus: number; loadAverage1m: number };
}

/** Time a fault may take, recovery included, before the next one is started. */
const RECOVERY_TIMEOUT_MS = 60_000;
/** Time kept free at the end for the settle, the history check and clean-up. */
const END_RESERVE_MS = 30_000;
/** Longest wait after the settle for mention notifications still on their way (a redelivery backoff reaches 30 s). */
const MENTION_WAIT_MS = 45_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the runner started, so a deadline or a signal can clean it up from outside. */
export interface Running {
  stack?: ChaosStack;
  users: ChaosUser[];
}

export async function runChaos(o: ChaosOptions, running: Running, log: (line: string) => void): Promise<ChaosResult> {
  const started = Date.now();
  const deadline = started + o.deadlineS * 1000;
  const plan = faultPlan(o);
  const ledger = new Ledger();
  log(`chaos: starting the stack (2 gateways, 2 chat-services, presence, notification, ${o.natsCluster ? `${o.natsCluster}-node NATS cluster` : 'nats-server'}, redis-server with AOF)`);
  const stack = await ChaosStack.start({ natsCluster: o.natsCluster });
  running.stack = stack;

  const urls = stack.gatewayUrls();
  // Room r holds users r, r + rooms, r + 2*rooms ...; each mentions the next one of its room.
  for (let i = 0; i < o.users; i++) {
    const peer = i + o.rooms < o.users ? i + o.rooms : i % o.rooms;
    running.users.push(new ChaosUser(`chaos_u${i}`, `chaos_room${i % o.rooms}`, urls, ledger, peer === i ? undefined : `chaos_u${peer}`));
  }
  log(`chaos: ${o.users} clients joining ${o.rooms} rooms`);
  for (let i = 0; i < running.users.length; i += 10) await Promise.all(running.users.slice(i, i + 10).map((u) => u.join()));

  const perRoom = o.users / o.rooms;
  const intervalMs = (1000 * perRoom) / o.roomRate;
  for (const u of running.users) u.startSending(intervalMs);
  log(`chaos: load on: ${o.roomRate} msg/s per room (${(o.roomRate * o.rooms).toFixed(1)} msg/s in all); baseline ${o.recoverS} s`);
  await sleep(o.recoverS * 1000);

  const skipped: string[] = [];
  for (const fault of plan) {
    if (Date.now() + RECOVERY_TIMEOUT_MS / 2 + o.recoverS * 1000 + o.settleS * 1000 + END_RESERVE_MS > deadline) {
      skipped.push(fault.name);
      continue;
    }
    await injectAndRecover(fault, stack, running.users, ledger, o, log);
  }
  if (skipped.length) log(`chaos: deadline near, skipped: ${skipped.join(', ')}`);

  log(`chaos: load off; settling ${o.settleS} s`);
  for (const u of running.users) u.stopSending();
  await Promise.all(running.users.map((u) => u.drained(15_000)));
  await sleep(o.settleS * 1000);
  // Mentions made during a notification-service outage wait in the stream, and one whose
  // handling failed comes again after a backoff: give them time to arrive, bounded.
  const mentionWaitEnd = Math.min(Date.now() + MENTION_WAIT_MS, deadline - END_RESERVE_MS / 2);
  while (ledger.mentionsMissing > 0 && Date.now() < mentionWaitEnd) await sleep(250);

  const stored = new Map<string, Set<string>>();
  for (const room of ledger.rooms) {
    const reader = running.users.find((u) => u.room === room);
    if (reader) stored.set(room, await reader.storedIds());
  }
  const lost = ledger.settle(stored);
  return {
    options: o,
    startedAt: new Date(started).toISOString(),
    durationS: Math.round((Date.now() - started) / 1000),
    phases: ledger.phases,
    faults: plan.map((f) => ({ name: f.name, description: f.description })),
    skipped,
    totalAcked: ledger.totalAcked,
    lost,
    duplicates: ledger.phases.reduce((s, p) => s + p.duplicates, 0),
    totalMentions: ledger.phases.reduce((s, p) => s + p.mentions, 0),
    lostMentions: ledger.lostMentions,
    mentionDuplicates: ledger.phases.reduce((s, p) => s + p.mentionDuplicates, 0),
    machine: { cpus: cpus().length, loadAverage1m: Math.round(loadavg()[0] * 100) / 100 },
  };
}

async function injectAndRecover(fault: Fault, stack: ChaosStack, users: ChaosUser[], ledger: Ledger, o: ChaosOptions, log: (line: string) => void): Promise<void> {
  const phase = ledger.startPhase(fault.name);
  log(`chaos: fault ${fault.name}: ${fault.description}`);
  const t0 = Date.now();
  try {
    await fault.run(stack);
    await waitFor(() => stack.allReady(), { timeoutMs: RECOVERY_TIMEOUT_MS, intervalMs: 200, what: `every process ready after ${fault.name}` });
    phase.recoveryMs = Date.now() - t0;
    // Clients back too: every one connected, joined and sending again (they reconnect and retry
    // on their own); only then the recovery counts as done.
    await waitFor(() => users.every((u) => u.canSend), { timeoutMs: RECOVERY_TIMEOUT_MS, intervalMs: 100, what: 'every client able to send again' });
    phase.clientsBackMs = Date.now() - t0;
  } catch (err) {
    phase.error = (err as Error).message;
    log(`chaos: ${fault.name}: ${phase.error}; not ready: ${(await stack.notReady()).join(', ') || 'none'}`);
  }
  log(`chaos: ${fault.name}: processes ready after ${phase.recoveryMs ?? '?'} ms, clients sending after ${phase.clientsBackMs ?? '?'} ms; load only for ${o.recoverS} s`);
  await sleep(o.recoverS * 1000);
}
