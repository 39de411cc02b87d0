import { fork } from 'node:child_process';
import type { LoadtestOptions } from './args';
import { Histogram } from './histogram';
import type { Counters, FromWorker, ToWorker, WorkerResult } from './messages';
import { nowMs } from './payload';
import { emptyCounters } from './stats';

export type Phase = 'connect' | 'send' | 'drain' | 'finish';

/** The coordinator's side of one worker. */
export interface WorkerHandle {
  send(msg: ToWorker): void;
  onMessage(handler: (msg: FromWorker) => void): void;
  onExit(handler: (code: number | null) => void): void;
  kill(): void;
}

export type SpawnWorker = (index: number) => WorkerHandle;

/** Merged live view over all workers, handed to the progress printer. */
export interface LiveSnapshot extends Counters {
  phase: Phase;
  elapsedS: number;
  users: number;
  pendingAcks: number;
  errors: number;
  expected: number;
  /** e2e latency of deliveries since the previous snapshot. */
  interval: Histogram;
}

export interface RunOutcome {
  startedAt: number;
  sendStartAt: number;
  sendEndAt: number;
  drainEndAt: number;
  finishedAt: number;
  membersByRoom: Record<string, number>;
  results: WorkerResult[];
}

export class RunError extends Error {
  override readonly name = 'RunError';
}

/** Forks this same script as a worker (main.ts routes on the environment variable). */
export function forkWorker(script: string): SpawnWorker {
  return () => {
    const child = fork(script, [], { env: { ...process.env, RELAY_LOADTEST_WORKER: '1' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return {
      send: (msg) => {
        if (child.connected) child.send(msg);
      },
      onMessage: (h) => child.on('message', (m) => h(m as FromWorker)),
      onExit: (h) => child.on('exit', (code) => h(code)),
      kill: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      },
    };
  };
}

const READY_GRACE_MS = 30000;
const RESULT_TIMEOUT_MS = 20000;
const DRAIN_POLL_MS = 100;
const GO_DELAY_MS = 300;

/**
 * Runs the phases: connect (ramp) until every worker is ready, send for the duration, drain until
 * every acked message reached every member (or the drain time is up), then collect the results.
 * `onTick` gets a merged snapshot once a second and at every phase change.
 */
export async function runLoad(options: LoadtestOptions, spawn: SpawnWorker, onTick: (s: LiveSnapshot, phaseChanged: boolean) => void): Promise<RunOutcome> {
  // nowMs() is wall-clock epoch time (the workers embed the same clock in their messages).
  const startedAt = nowMs();
  const latest = new Map<number, Extract<FromWorker, { type: 'progress' }>>();
  const ready = new Map<number, Array<{ user: string; room: string }>>();
  const results = new Map<number, WorkerResult>();
  const membersByRoom: Record<string, number> = {};
  let interval = new Histogram();
  let phase: Phase = 'connect';
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const poke = () => wake?.();

  const workers: WorkerHandle[] = [];
  for (let i = 0; i < options.workers; i++) {
    const w = spawn(i);
    workers.push(w);
    w.onMessage((msg) => {
      switch (msg.type) {
        case 'progress':
          latest.set(msg.workerIndex, msg);
          interval.merge(msg.intervalE2e);
          break;
        case 'ready':
          ready.set(msg.workerIndex, msg.members);
          break;
        case 'result':
          results.set(msg.workerIndex, msg);
          break;
        case 'fatal':
          failure ??= new RunError(`worker ${msg.workerIndex} failed: ${msg.message}`);
          break;
      }
      poke();
    });
    w.onExit((code) => {
      if (!results.has(i)) failure ??= new RunError(`worker ${i} exited (code ${code}) before reporting its result`);
      poke();
    });
  }

  const snapshot = (): LiveSnapshot => {
    const c = emptyCounters();
    let pendingAcks = 0;
    let errors = 0;
    let expected = 0;
    for (const p of latest.values()) {
      for (const k of Object.keys(c) as Array<keyof Counters>) c[k] += p[k];
      pendingAcks += p.pendingAcks;
      for (const v of Object.values(p.errors)) errors += v;
      for (const [room, acked] of Object.entries(p.ackedByRoom)) expected += acked * (membersByRoom[room] ?? 0);
    }
    const s: LiveSnapshot = { ...c, phase, elapsedS: (nowMs() - startedAt) / 1000, users: options.users, pendingAcks, errors, expected, interval };
    interval = new Histogram();
    return s;
  };

  const ticker = setInterval(() => onTick(snapshot(), false), 1000);
  const enter = (next: Phase) => {
    phase = next;
    onTick(snapshot(), true);
  };

  /** Waits until `done()` holds, a worker fails, or the deadline passes (then returns false). */
  const until = async (done: () => boolean, deadline: number): Promise<boolean> => {
    for (;;) {
      if (failure) throw failure;
      if (done()) return true;
      const left = deadline - nowMs();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, DRAIN_POLL_MS));
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = undefined;
    }
  };

  try {
    const rampStartAt = nowMs() + 100;
    workers.forEach((w, workerIndex) => w.send({ type: 'start', options, workerIndex, rampStartAt }));
    enter('connect');
    const allReady = await until(() => ready.size === workers.length, rampStartAt + options.rampS * 1000 + READY_GRACE_MS);
    if (!allReady) throw new RunError(`workers not ready ${READY_GRACE_MS / 1000} s after the ramp (${ready.size}/${workers.length} ready)`);
    for (const members of ready.values()) for (const m of members) membersByRoom[m.room] = (membersByRoom[m.room] ?? 0) + 1;

    const sendStartAt = nowMs() + GO_DELAY_MS;
    const sendEndAt = sendStartAt + options.durationS * 1000;
    workers.forEach((w) => w.send({ type: 'go', startAt: sendStartAt, endAt: sendEndAt }));
    enter('send');
    await until(() => false, sendEndAt);

    enter('drain');
    // Settled: no send waits for its ack and every acked message reached every member. Progress
    // is at most 250 ms old, so wait for two fresh reports after the send phase before trusting it.
    const freshAfter = new Map<number, number>();
    const drained = () => {
      const s = snapshotCounts();
      return s.pendingAcks === 0 && s.received >= s.expected && [...latest.keys()].every((k) => (freshAfter.get(k) ?? 0) >= 2);
    };
    const snapshotCounts = () => {
      let pendingAcks = 0;
      let received = 0;
      let expected = 0;
      for (const p of latest.values()) {
        pendingAcks += p.pendingAcks;
        received += p.received;
        for (const [room, acked] of Object.entries(p.ackedByRoom)) expected += acked * (membersByRoom[room] ?? 0);
      }
      return { pendingAcks, received, expected };
    };
    for (const w of workers) {
      w.onMessage((msg) => {
        if (msg.type === 'progress') freshAfter.set(msg.workerIndex, (freshAfter.get(msg.workerIndex) ?? 0) + 1);
      });
    }
    await until(drained, sendEndAt + options.drainS * 1000);
    const drainEndAt = nowMs();

    enter('finish');
    workers.forEach((w) => w.send({ type: 'finish' }));
    const collected = await until(() => results.size === workers.length, nowMs() + RESULT_TIMEOUT_MS);
    if (!collected) throw new RunError(`only ${results.size}/${workers.length} workers reported a result within ${RESULT_TIMEOUT_MS / 1000} s`);
    return {
      startedAt,
      sendStartAt,
      sendEndAt,
      drainEndAt,
      finishedAt: nowMs(),
      membersByRoom,
      results: [...results.values()].sort((a, b) => a.workerIndex - b.workerIndex),
    };
  } finally {
    clearInterval(ticker);
    for (const w of workers) w.kill();
  }
}
