import type { LoadtestOptions } from './args';
import { planUsers, type FromWorker, type ToWorker, type UserSpec } from './messages';
import { nowMs } from './payload';
import { WorkerStats } from './stats';
import { devTokens, localTokens, type TokenSource } from './tokens';
import { SocketIoUser } from './socketio-user';
import { UserError, VirtualUser, type LoadClient } from './virtual-user';

/** How a worker talks to its coordinator: the fork IPC channel, or an in-process pair in tests. */
export interface WorkerChannel {
  send(msg: FromWorker, done?: () => void): void;
  onMessage(handler: (msg: ToWorker) => void): void;
  /** Called once the result is out: a forked worker disconnects and exits. */
  close(): void;
}

const CONNECT_TIMEOUT_MS = 10000;
const JOIN_TIMEOUT_MS = 10000;
const PROGRESS_EVERY_MS = 250;

function errorCode(err: unknown): string {
  return err instanceof UserError ? err.code : 'UNEXPECTED';
}

function sleepUntil(at: number, timers: Set<NodeJS.Timeout>): Promise<void> {
  const wait = at - nowMs();
  if (wait <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      timers.delete(t);
      resolve();
    }, wait);
    timers.add(t);
  });
}

/**
 * One load-generating process: connects its share of the users over the ramp, reports `ready`,
 * sends on an open-loop schedule between `go`'s start and end, streams progress, and answers
 * `finish` with its full result.
 */
export function runWorker(channel: WorkerChannel): void {
  const timers = new Set<NodeJS.Timeout>();
  const users: LoadClient[] = [];
  const joined: LoadClient[] = [];
  let stats: WorkerStats | undefined;
  let options: LoadtestOptions | undefined;
  let progressTimer: NodeJS.Timeout | undefined;
  let workerIndex = -1;
  let stopped = false;

  const pendingAcks = () => users.reduce((sum, u) => sum + u.pendingAcks, 0);

  const start = async (msg: Extract<ToWorker, { type: 'start' }>) => {
    options = msg.options;
    workerIndex = msg.workerIndex;
    const s = new WorkerStats(workerIndex);
    stats = s;
    const tokens: TokenSource = options.jwtSecret ? localTokens(options.jwtSecret) : devTokens();
    progressTimer = setInterval(() => channel.send(s.progress(pendingAcks())), PROGRESS_EVERY_MS);
    const o = options;
    const connectAndJoin = async (spec: UserSpec) => {
      if (stopped) return;
      const vu: LoadClient = o.protocol === 'socketio' ? new SocketIoUser(spec, s, o.padding) : new VirtualUser(spec, s, o.padding);
      users.push(vu);
      let token: string;
      try {
        token = await tokens(spec.user, spec.gateway);
      } catch (err) {
        s.counters.connectFailed++;
        s.error('TOKEN_FAILED');
        if (s.errors.TOKEN_FAILED === 1) process.stderr.write(`worker ${workerIndex}: token for ${spec.user} failed: ${(err as Error).message}\n`);
        return;
      }
      try {
        await vu.connect(token, CONNECT_TIMEOUT_MS);
      } catch (err) {
        s.counters.connectFailed++;
        s.error(errorCode(err));
        await vu.close();
        return;
      }
      try {
        await vu.join(JOIN_TIMEOUT_MS);
        joined.push(vu);
      } catch (err) {
        s.counters.joinFailed++;
        s.error(errorCode(err));
      }
    };
    const specs = planUsers(o, workerIndex);
    if (o.inFlight > 0) {
      // A storm: every user at once, at most this worker's share of --in-flight attempts open.
      await sleepUntil(msg.rampStartAt, timers);
      const lanes = Math.max(1, Math.round(o.inFlight / o.workers));
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(lanes, specs.length) }, async () => {
          while (next < specs.length) await connectAndJoin(specs[next++]);
        }),
      );
    } else {
      await Promise.all(
        specs.map(async (spec) => {
          // Users open evenly over the ramp in global order, so the workers interleave.
          await sleepUntil(msg.rampStartAt + (spec.index / o.users) * o.rampS * 1000, timers);
          await connectAndJoin(spec);
        }),
      );
    }
    channel.send({ type: 'ready', workerIndex, members: joined.map((u) => ({ user: u.spec.user, room: u.spec.room })) });
  };

  const go = (msg: Extract<ToWorker, { type: 'go' }>) => {
    stats?.startTimeline(msg.startAt, (options?.warmupS ?? 0) * 1000);
    const rate = options?.rate ?? 0;
    if (rate <= 0) return;
    const interval = 1000 / rate;
    for (const vu of joined) {
      // A random phase spreads the users over the interval; the schedule is absolute (open loop),
      // so a slow system gets the offered rate, not a rate that politely backs off.
      let next = msg.startAt + Math.random() * interval;
      const tick = () => {
        const now = nowMs();
        while (!stopped && next <= now && next < msg.endAt) {
          vu.send();
          next += interval;
        }
        if (stopped || next >= msg.endAt) return;
        const t = setTimeout(() => {
          timers.delete(t);
          tick();
        }, next - now);
        timers.add(t);
      };
      tick();
    }
  };

  const finish = async () => {
    stopped = true;
    for (const t of timers) clearTimeout(t);
    timers.clear();
    if (progressTimer) clearInterval(progressTimer);
    const s = stats ?? new WorkerStats(workerIndex);
    const unacked = pendingAcks();
    if (unacked > 0) s.error('NO_ACK', unacked);
    await Promise.all(users.map((u) => u.close()));
    channel.send(s.result(unacked), () => channel.close());
  };

  const guard = (work: Promise<void> | void) => {
    Promise.resolve(work).catch((err: unknown) => {
      channel.send({ type: 'fatal', workerIndex, message: (err as Error).stack ?? String(err) }, () => channel.close());
    });
  };

  channel.onMessage((msg) => {
    switch (msg.type) {
      case 'start':
        guard(start(msg));
        return;
      case 'go':
        guard(go(msg));
        return;
      case 'finish':
        guard(finish());
        return;
    }
  });
}

/** The fork IPC channel of a worker process. */
export function processChannel(): WorkerChannel {
  return {
    send(msg, done) {
      if (!process.send) throw new Error('the worker was not started with an IPC channel (child_process.fork)');
      process.send(msg, undefined, {}, () => done?.());
    },
    onMessage(handler) {
      process.on('message', (m) => handler(m as ToWorker));
      // The coordinator is gone: nothing left to report to.
      process.on('disconnect', () => process.exit(3));
    },
    close() {
      process.removeAllListeners('disconnect');
      process.disconnect();
    },
  };
}
