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
 */
export class RoomSequencer {
  private next?: number;
  private readonly held = new Map<number, ChatMessage>();
  private timer?: NodeJS.Timeout;
  private stopped = false;

  private readonly maxGap: number;

  constructor(private readonly opts: SequencerOptions) {
    this.maxGap = opts.maxGap ?? DEFAULT_MAX_GAP;
  }

  /** The room's latest seq from a join reply: until then, the stream's start is unknown. */
  anchor(latest: number): void {
    if (this.next !== undefined) return;
    this.next = latest + 1;
    for (const seq of this.held.keys()) if (seq < this.next) this.held.delete(seq);
    this.drain();
  }

  accept(msg: ChatMessage): void {
    if (this.stopped) return;
    if (this.next !== undefined && msg.seq < this.next) return; // already delivered
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
      for (const m of fetched) if (m.seq >= from && m.seq < lowestHeld && !this.held.has(m.seq)) this.held.set(m.seq, m);
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
