import type { ChatMessage } from '@relay/contracts';

export interface SequencerOptions {
  /** Delivers one message to the room's local members; called in strict seq order. */
  deliver: (msg: ChatMessage) => void;
  /** Fetches stored messages with seq in [from, to] when the live stream has a hole. */
  fetchGap: (from: number, to: number) => Promise<ChatMessage[]>;
  /** How long a hole may stay open (out-of-order publishes of two chat-services) before fetching it. */
  gapWaitMs: number;
  onError: (err: unknown) => void;
  /**
   * The widest hole filled from history, and the most messages held while waiting. A live
   * message further ahead than this is checked against history before it is believed.
   */
  maxGap?: number;
  /** A live message history does not know (a forged or stale seq far ahead) was dropped. */
  onDropped?: (msg: ChatMessage) => void;
}

/** As many messages as fetchHistoryRange reads for one hole (20 pages of 100). */
export const DEFAULT_MAX_GAP = 2000;

/**
 * Puts one room's live stream in seq order. Two chat-service instances store seq n and n+1
 * and may publish them in the other order; clients must see n first and exactly once. A hole
 * that stays open (a publish lost in a crash between store and publish) is filled from history,
 * or skipped when history cannot fill it, so a room never stalls.
 *
 * Seqs count within one epoch (store generation). A message of a later epoch (the store was
 * reset or replaced, seqs start over) starts the room over instead of being dropped as already
 * delivered; one of an earlier epoch is stale and dropped. Epochs are ULIDs: later sorts after.
 */
export class RoomSequencer {
  private next?: number;
  private epoch?: string;
  private readonly held = new Map<number, ChatMessage>();
  private timer?: NodeJS.Timeout;
  private stopped = false;

  private readonly maxGap: number;

  constructor(private readonly opts: SequencerOptions) {
    this.maxGap = opts.maxGap ?? DEFAULT_MAX_GAP;
  }

  /** The room's latest seq (and epoch) from a join reply: until then, the stream's start is unknown. */
  anchor(latest: number, epoch?: string): void {
    if (!this.sameEpoch(epoch)) return;
    if (this.next !== undefined) return;
    this.next = latest + 1;
    for (const seq of this.held.keys()) if (seq < this.next) this.held.delete(seq);
    this.drain();
  }

  accept(msg: ChatMessage): void {
    if (this.stopped) return;
    if (!this.sameEpoch(msg.epoch)) return;
    if (this.next !== undefined && msg.seq < this.next) return; // already delivered
    // Seq 1 is where every room and every reset epoch starts: nothing can come before it.
    if (this.next === undefined && msg.seq === 1) this.next = 1;
    if (msg.seq === this.next) {
      this.opts.deliver(msg);
      this.next++;
      this.drain();
      return;
    }
    this.held.set(msg.seq, msg);
    // Bounded: past maxGap held messages the furthest one goes (a gap fetch or a rejoin brings it back).
    if (this.held.size > this.maxGap) this.held.delete(Math.max(...this.held.keys()));
    this.arm();
  }

  /**
   * False for a stale epoch. A later one starts the room over: what was held is dropped and the
   * stream waits for its start again (seq 1 starts at once; a later first seq once the hole
   * wait passes, as without a join anchor). Messages without an epoch (stored before epochs
   * existed) belong to whatever epoch is current.
   */
  private sameEpoch(epoch: string | undefined): boolean {
    if (epoch === undefined || epoch === this.epoch) return true;
    if (this.epoch !== undefined && epoch < this.epoch) return false;
    const restart = this.epoch !== undefined;
    this.epoch = epoch;
    for (const [seq, m] of this.held) if (m.epoch !== undefined && m.epoch !== epoch) this.held.delete(seq);
    if (restart) {
      this.next = undefined;
      clearTimeout(this.timer);
      this.timer = undefined;
      if (this.held.size > 0) this.arm();
    }
    return true;
  }

  /** What the stream has delivered: its epoch and last seq; undefined until it is anchored. */
  get delivered(): { epoch?: string; seq: number } | undefined {
    return this.next === undefined ? undefined : { epoch: this.epoch, seq: this.next - 1 };
  }

  /**
   * The store says the room is at `latest` (in `epoch`) while the live stream delivered less
   * and holds nothing (no later message exposed a hole): the publish of the room's last
   * message(s) was lost. Fetches them (at most `max`) and feeds them through `accept`, so order
   * and the duplicate check stay the stream's. A later epoch fetches its newest messages.
   */
  async catchUp(latest: number, epoch: string | undefined, max: number): Promise<number> {
    if (this.stopped || this.next === undefined || this.held.size > 0) return 0;
    const later = epoch !== undefined && this.epoch !== undefined && epoch > this.epoch;
    if (!later && (latest < this.next || (epoch !== undefined && this.epoch !== undefined && epoch !== this.epoch))) return 0;
    if (latest < 1) return 0;
    const from = later ? Math.max(1, latest - max + 1) : Math.max(this.next, latest - max + 1);
    const fetched = await this.opts.fetchGap(from, latest);
    for (const m of fetched) this.accept(m);
    return fetched.length;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.held.clear();
  }

  private drain(): void {
    while (this.next !== undefined) {
      const msg = this.held.get(this.next);
      if (!msg) break;
      this.held.delete(this.next);
      this.opts.deliver(msg);
      this.next++;
    }
    if (this.held.size === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
    } else {
      this.arm();
    }
  }

  private arm(): void {
    if (this.timer || this.held.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.closeHole();
    }, this.opts.gapWaitMs);
    this.timer.unref();
  }

  private async closeHole(): Promise<void> {
    if (this.stopped || this.held.size === 0) return;
    const lowestHeld = Math.min(...this.held.keys());
    if (this.next === undefined) {
      // No join reply anchored the stream (it failed): start at what arrived.
      this.next = lowestHeld;
      this.drain();
      return;
    }
    const from = this.next;
    if (lowestHeld - from > this.maxGap) return this.verifyJump(lowestHeld);
    try {
      const fetched = await this.opts.fetchGap(from, lowestHeld - 1);
      for (const m of fetched) {
        const inEpoch = m.epoch === undefined || m.epoch === this.epoch;
        if (inEpoch && m.seq >= from && m.seq < lowestHeld && !this.held.has(m.seq)) this.held.set(m.seq, m);
      }
    } catch (err) {
      this.opts.onError(err);
    }
    if (this.stopped || this.next === undefined) return;
    const next = this.next;
    for (const seq of this.held.keys()) if (seq < next) this.held.delete(seq);
    if (this.held.size === 0) return this.drain();
    // Whatever history could not give is skipped: a stalled room is worse than a visible gap.
    // One step to the lowest held seq, never a walk over the hole.
    this.next = Math.max(this.next, Math.min(...this.held.keys()));
    this.drain();
  }

  /**
   * A live message more than maxGap ahead: no bounded fetch can fill the hole, and a forged
   * seq (2^53) must neither block the event loop nor push the room's stream past every real
   * message. History decides: if chat-service stored that very message, the gateway missed a
   * lot and jumps to it (clients see the gap and page with `history`); if not, it is dropped.
   * A failed check keeps it held for the next round.
   */
  private async verifyJump(seq: number): Promise<void> {
    const msg = this.held.get(seq);
    if (!msg) return;
    let stored: boolean;
    try {
      const found = await this.opts.fetchGap(seq, seq);
      stored = found.some((m) => m.seq === seq && m.id === msg.id);
    } catch (err) {
      this.opts.onError(err);
      if (!this.stopped) this.arm();
      return;
    }
    if (this.stopped || this.next === undefined) return;
    if (stored) this.next = Math.max(this.next, seq);
    else {
      this.held.delete(seq);
      this.opts.onDropped?.(msg);
    }
    this.drain();
  }
}
