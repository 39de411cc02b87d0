/** What the coordinator and its worker processes say to each other over the fork IPC channel. */
import type { LoadtestOptions } from './args';
import type { ReceiverReport, SenderReport } from './accounting';
import type { SerializedHistogram } from './histogram';

export interface UserSpec {
  /** Global index 0..users-1: fixes the user's room, gateway and place in the ramp. */
  index: number;
  user: string;
  room: string;
  gateway: string;
}

export interface Counters {
  connected: number;
  connectFailed: number;
  joined: number;
  joinFailed: number;
  sent: number;
  acked: number;
  /** Sends answered with an error frame. */
  failed: number;
  /** Unique deliveries (a duplicate is not counted again). */
  received: number;
  duplicates: number;
  outOfOrder: number;
  /** Connections the server closed during the run. */
  dropped: number;
}

export interface TimelineSecond {
  /** Seconds since sending started. */
  second: number;
  sent: number;
  delivered: number;
  e2e: SerializedHistogram;
}

export type ToWorker =
  | { type: 'start'; options: LoadtestOptions; workerIndex: number; rampStartAt: number }
  | { type: 'go'; startAt: number; endAt: number }
  | { type: 'finish' };

export type FromWorker =
  | { type: 'ready'; workerIndex: number; members: Array<{ user: string; room: string }> }
  | ({ type: 'progress'; workerIndex: number; pendingAcks: number; errors: Record<string, number>; ackedByRoom: Record<string, number>; intervalE2e: SerializedHistogram } & Counters)
  | WorkerResult
  | { type: 'fatal'; workerIndex: number; message: string };

export interface WorkerResult {
  type: 'result';
  workerIndex: number;
  counters: Counters;
  errors: Record<string, number>;
  unacked: number;
  senders: SenderReport[];
  receivers: ReceiverReport[];
  histograms: { e2e: SerializedHistogram; ack: SerializedHistogram; connect: SerializedHistogram; join: SerializedHistogram };
  timeline: TimelineSecond[];
}

/** Which users a worker runs, and where: user i is in room i mod rooms; the k-th member of a room is on gateway k mod gateways. */
export function planUsers(options: Pick<LoadtestOptions, 'users' | 'rooms' | 'gateways' | 'prefix' | 'workers'>, workerIndex: number): UserSpec[] {
  const out: UserSpec[] = [];
  for (let i = workerIndex; i < options.users; i += options.workers) {
    const roomIndex = i % options.rooms;
    const memberIndex = Math.floor(i / options.rooms);
    out.push({
      index: i,
      user: `${options.prefix}-u${i}`,
      room: `${options.prefix}-r${roomIndex}`,
      gateway: options.gateways[memberIndex % options.gateways.length],
    });
  }
  return out;
}
