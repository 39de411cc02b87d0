import { DeliveryLedger, encodeRanges } from './accounting';
import { Histogram } from './histogram';
import type { Counters, FromWorker, TimelineSecond, WorkerResult } from './messages';

export function emptyCounters(): Counters {
  return { connected: 0, connectFailed: 0, joined: 0, joinFailed: 0, sent: 0, acked: 0, failed: 0, received: 0, duplicates: 0, outOfOrder: 0, dropped: 0 };
}

interface Bucket {
  sent: number;
  delivered: number;
  e2e: Histogram;
}

/** Everything one worker measures; the virtual users only report events into it. */
export class WorkerStats {
  readonly counters = emptyCounters();
  readonly errors: Record<string, number> = {};
  readonly ledger = new DeliveryLedger();
  readonly e2e = new Histogram();
  readonly ack = new Histogram();
  readonly connect = new Histogram();
  readonly join = new Histogram();
  private interval = new Histogram();
  private readonly ackedBySender = new Map<string, { room: string; acked: Set<number> }>();
  private readonly ackedByRoom = new Map<string, number>();
  private readonly timeline = new Map<number, Bucket>();
  private sendStartAt = 0;
  /** Messages sent before this time are counted but kept out of the latency histograms (warm-up). */
  private measureFrom = 0;

  constructor(readonly workerIndex: number) {}

  startTimeline(at: number, warmupMs = 0): void {
    this.sendStartAt = at;
    this.measureFrom = at + warmupMs;
  }

  error(code: string, count = 1): void {
    this.errors[code] = (this.errors[code] ?? 0) + count;
  }

  connected(ms: number): void {
    this.counters.connected++;
    this.connect.record(ms);
  }

  joined(user: string, room: string, ms: number): void {
    this.counters.joined++;
    this.join.record(ms);
    this.ledger.addReceiver(user, room);
    this.ackedBySender.set(user, { room, acked: new Set() });
  }

  sent(at: number): void {
    this.counters.sent++;
    this.bucket(at).sent++;
  }

  acked(user: string, n: number, ms: number, sentAt = Infinity): void {
    const s = this.ackedBySender.get(user);
    if (!s || s.acked.has(n)) return;
    s.acked.add(n);
    this.counters.acked++;
    if (sentAt >= this.measureFrom) this.ack.record(ms);
    this.ackedByRoom.set(s.room, (this.ackedByRoom.get(s.room) ?? 0) + 1);
  }

  delivered(receiver: string, from: string, n: number, seq: number, sentAt: number, at: number): void {
    const verdict = this.ledger.record(receiver, from, n, seq);
    if (verdict === 'duplicate') {
      this.counters.duplicates++;
      return;
    }
    if (verdict === 'out-of-order') this.counters.outOfOrder++;
    this.counters.received++;
    const latency = at - sentAt;
    this.interval.record(latency);
    if (sentAt >= this.measureFrom) this.e2e.record(latency);
    const b = this.bucket(at);
    b.delivered++;
    b.e2e.record(latency);
  }

  progress(pendingAcks: number): Extract<FromWorker, { type: 'progress' }> {
    const intervalE2e = this.interval.toJSON();
    this.interval = new Histogram();
    return {
      type: 'progress',
      workerIndex: this.workerIndex,
      ...this.counters,
      pendingAcks,
      errors: { ...this.errors },
      ackedByRoom: Object.fromEntries(this.ackedByRoom),
      intervalE2e,
    };
  }

  result(unacked: number): WorkerResult {
    const timeline: TimelineSecond[] = [...this.timeline.entries()]
      .sort(([a], [b]) => a - b)
      .map(([second, b]) => ({ second, sent: b.sent, delivered: b.delivered, e2e: b.e2e.toJSON() }));
    return {
      type: 'result',
      workerIndex: this.workerIndex,
      counters: { ...this.counters },
      errors: { ...this.errors },
      unacked,
      senders: [...this.ackedBySender.entries()].map(([user, s]) => ({ user, room: s.room, acked: encodeRanges(s.acked) })),
      receivers: this.ledger.reports(),
      histograms: { e2e: this.e2e.toJSON(), ack: this.ack.toJSON(), connect: this.connect.toJSON(), join: this.join.toJSON() },
      timeline,
    };
  }

  private bucket(at: number): Bucket {
    const second = Math.max(0, Math.floor((at - this.sendStartAt) / 1000));
    let b = this.timeline.get(second);
    if (!b) {
      b = { sent: 0, delivered: 0, e2e: new Histogram() };
      this.timeline.set(second, b);
    }
    return b;
  }
}
