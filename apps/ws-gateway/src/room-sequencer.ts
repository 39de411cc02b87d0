import type { ChatMessage } from '@relay/contracts';

/** Why seqs were given up: history answered without them, or could not be read for too long. */
export const SKIP_REASONS = ['not-in-history', 'fetch-failed'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** Seqs a room's stream went past without delivering them (a visible gap for its members). */
export interface SkippedRange {
  /** The first and last seq given up; `count` may be smaller when only some in between were missing. */
  from: number;
  to: number;
  count: number;
  reason: SkipReason;
  /** The last fetch error, for `fetch-failed`. */
  err?: unknown;
}

export interface SequencerOptions {
  /** Delivers one message to the room's local members; called in strict seq order. */
  deliver: (msg: ChatMessage) => void;
  /** Fetches stored messages with seq in [from, to] when the live stream has a hole. */
  fetchGap: (from: number, to: number) => Promise<ChatMessage[]>;
  /** How long a hole may stay open (out-of-order publishes of two chat-services) before fetching it. */
  gapWaitMs: number;
  /** A fetch of a hole failed; it is tried again (see retryMaxDelayMs, giveUpAfterMs). */
  onError: (err: unknown) => void;
  /**
   * The widest hole filled from history in one fetch, and the most messages held while waiting. A
   * live message further ahead than this is checked against history before it is believed.
   */
  maxGap?: number;
  /** A live message history does not know (a forged or stale seq far ahead) was dropped. */
  onDropped?: (msg: ChatMessage) => void;
  /** Seqs given up: never silent, the caller logs and counts them. */
  onSkipped?: (skip: SkippedRange) => void;
  /** The longest wait between two tries of a failing hole fetch (it doubles from 2 × gapWaitMs, at least 200 ms). */
  retryMaxDelayMs?: number;
  /** How long a hole's fetches may keep failing before the hole is skipped so the room goes on. */
  giveUpAfterMs?: number;
}

/** As many messages as one hole fetch asks for; a wider (verified) hole is filled in steps of this. */
export const DEFAULT_MAX_GAP = 2000;
/** A failing fetch is tried again at most this far apart. */
export const DEFAULT_RETRY_MAX_DELAY_MS = 5000;
/** A tiny GAP_WAIT_MS must not make a failing fetch a hot loop against a struggling chat-service. */
const MIN_RETRY_BASE_MS = 100;
/** A hole is skipped only after its fetches have failed for this long (chat-service down or overloaded). */
export const DEFAULT_GIVE_UP_AFTER_MS = 60000;

/**
 * Puts one room's live stream in seq order. Two chat-service instances store seq n and n+1
 * and may publish them in the other order; clients must see n first and exactly once. A hole
 * that stays open (a publish lost in a crash between store and publish) is filled from history.
 *
 * At most one history fetch per room is in flight (hole fill, far-seq check or tail catch-up),
 * and a fetch settles only the seqs it asked for. A failed fetch (breaker open, timeout under
 * overload) is tried again with a capped backoff; the room waits meanwhile (held messages are
 * delivered in order once the hole is filled). Seqs are skipped only when history answered
 * without them (trimmed, a replaced store) or after its fetches failed for `giveUpAfterMs`,
 * and every skip is reported through `onSkipped`.
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
  /** A history fetch is in flight: nothing else fetches, and it re-arms the timer when done. */
  private fetching = false;
  /** Bumped when the room starts over (later epoch), so a fetch begun before answers into nothing. */
  private generation = 0;
  /** A far seq history confirmed as stored: the hole below it is real and is filled in steps. */
  private confirmedFar?: number;
  /** The hole whose fetches fail: where it starts, since when, and how often. */
  private failing?: { from: number; since: number; tries: number };

  private readonly maxGap: number;
  private readonly retryMaxDelayMs: number;
  private readonly giveUpAfterMs: number;

  constructor(private readonly opts: SequencerOptions) {
    this.maxGap = opts.maxGap ?? DEFAULT_MAX_GAP;
    this.retryMaxDelayMs = opts.retryMaxDelayMs ?? DEFAULT_RETRY_MAX_DELAY_MS;
    this.giveUpAfterMs = opts.giveUpAfterMs ?? DEFAULT_GIVE_UP_AFTER_MS;
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
    // Bounded: past maxGap held messages the furthest one goes (it comes back by a later hole fetch).
    if (this.held.size > this.maxGap) this.held.delete(Math.max(...this.held.keys()));
    this.arm(this.opts.gapWaitMs);
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
      this.generation++;
      this.confirmedFar = undefined;
      this.failing = undefined;
      clearTimeout(this.timer);
      this.timer = undefined;
      if (this.held.size > 0) this.arm(this.opts.gapWaitMs);
    }
    return true;
  }

  /** What the stream has delivered: its epoch and last seq; undefined until it is anchored. */
  get delivered(): { epoch?: string; seq: number } | undefined {
    return this.next === undefined ? undefined : { epoch: this.epoch, seq: this.next - 1 };
  }

  /**
   * Where the stream stands when nothing is pending (anchored, no hole held, fetched or failing):
   * the last seq every local member has been given. Undefined otherwise.
   */
  get settled(): { epoch?: string; seq: number } | undefined {
    if (this.stopped || this.fetching || this.failing !== undefined || this.held.size > 0) return undefined;
    return this.delivered;
  }

  /**
   * The store says the room is at `latest` (in `epoch`) while the live stream delivered less
   * and holds nothing (no later message exposed a hole): the publish of the room's last
   * message(s) was lost. Fetches them (at most `max`) and feeds them through `accept`, so order
   * and the duplicate check stay the stream's. A later epoch fetches its newest messages.
   * Does nothing while a hole fetch is in flight (that fetch fills the room); a failed catch-up
   * throws and skips nothing (the caller tries again next round).
   */
  async catchUp(latest: number, epoch: string | undefined, max: number): Promise<number> {
    if (this.stopped || this.fetching || this.next === undefined || this.held.size > 0) return 0;
    const later = epoch !== undefined && this.epoch !== undefined && epoch > this.epoch;
    if (!later && (latest < this.next || (epoch !== undefined && this.epoch !== undefined && epoch !== this.epoch))) return 0;
    if (latest < 1) return 0;
    const from = later ? Math.max(1, latest - max + 1) : Math.max(this.next, latest - max + 1);
    const generation = this.generation;
    this.fetching = true;
    try {
      const fetched = await this.opts.fetchGap(from, latest);
      if (this.stopped || generation !== this.generation) return 0;
      for (const m of fetched) this.accept(m);
      return fetched.length;
    } finally {
      this.fetching = false;
      this.rearm(this.opts.gapWaitMs);
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
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
      this.arm(this.opts.gapWaitMs);
    }
  }

  /** Schedules a hole fetch unless one is scheduled or in flight (that one re-arms when it ends). */
  private arm(delayMs: number): void {
    if (this.timer || this.fetching || this.stopped || this.held.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.closeHole();
    }, delayMs);
    this.timer.unref();
  }

  /** After a fetch: the next try waits `delayMs`, replacing a timer armed meanwhile. */
  private rearm(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.arm(delayMs);
  }

  private async closeHole(): Promise<void> {
    if (this.stopped || this.fetching || this.held.size === 0) return;
    const lowestHeld = Math.min(...this.held.keys());
    if (this.next === undefined) {
      // No join reply anchored the stream (it failed): start at what arrived.
      this.next = lowestHeld;
      this.drain();
      return;
    }
    const from = this.next;
    const far = lowestHeld - from > this.maxGap;
    if (far && (this.confirmedFar === undefined || this.confirmedFar < lowestHeld)) {
      return this.fetchOnce(from, lowestHeld - 1, () => this.verifyFar(lowestHeld));
    }
    // A confirmed far hole is filled maxGap seqs at a time, oldest first.
    const to = Math.min(lowestHeld - 1, from + this.maxGap - 1);
    return this.fetchOnce(from, to, async (isCurrent) => {
      const fetched = await this.opts.fetchGap(from, to);
      if (isCurrent()) this.settle(from, to, fetched);
    });
  }

  /**
   * Runs one fetch for the hole [from, to] as the room's only one. Success ends the hole's
   * failure count; a failure is tried again after a doubling wait (capped), and after
   * giveUpAfterMs of failures the hole is skipped so the room does not stall for good.
   */
  private async fetchOnce(from: number, to: number, work: (isCurrent: () => boolean) => Promise<void>): Promise<void> {
    const generation = this.generation;
    const isCurrent = () => !this.stopped && generation === this.generation && this.next !== undefined;
    let retryInMs = this.opts.gapWaitMs;
    this.fetching = true;
    try {
      await work(isCurrent);
      this.failing = undefined;
    } catch (err) {
      if (!isCurrent()) return;
      this.opts.onError(err);
      const now = Date.now();
      // A hole that moved (live messages filled its start) is a new hole with a fresh bound.
      if (this.failing?.from !== from) this.failing = { from, since: now, tries: 0 };
      this.failing.tries++;
      if (now - this.failing.since >= this.giveUpAfterMs) {
        this.failing = undefined;
        this.skipThrough(to, 'fetch-failed', err);
      } else {
        retryInMs = Math.min(this.retryMaxDelayMs, Math.max(this.opts.gapWaitMs, MIN_RETRY_BASE_MS) * 2 ** this.failing.tries);
      }
    } finally {
      this.fetching = false;
      if (!this.stopped) this.rearm(retryInMs);
    }
  }

  /**
   * Delivers the fetched messages of [from, to] in order, with what arrived live meanwhile. A seq
   * of that range history did not return is gone from the store (trimmed, or the store was
   * replaced): it is skipped and reported. Seqs outside the range are not touched.
   */
  private settle(from: number, to: number, fetched: ChatMessage[]): void {
    if (this.next === undefined) return;
    for (const m of fetched) {
      const inEpoch = m.epoch === undefined || m.epoch === this.epoch;
      if (inEpoch && m.seq >= from && m.seq <= to && m.seq >= this.next && !this.held.has(m.seq)) this.held.set(m.seq, m);
    }
    this.skipThrough(to, 'not-in-history');
  }

  /** Moves the stream through `to`: held seqs are delivered, missing ones skipped (and reported), then it drains on. */
  private skipThrough(to: number, reason: SkipReason, err?: unknown): void {
    if (this.next === undefined) return;
    let missing: SkippedRange | undefined;
    // Bounded by maxGap (a hole fetch never asks for more), or one step (see the far case below).
    const end = Math.min(to, this.next + this.maxGap - 1);
    while (this.next <= end) {
      const msg = this.held.get(this.next);
      if (msg) {
        this.held.delete(this.next);
        this.opts.deliver(msg);
      } else if (missing) {
        missing.to = this.next;
        missing.count++;
      } else {
        missing = { from: this.next, to: this.next, count: 1, reason, err };
      }
      this.next++;
    }
    if (end < to) {
      // A far hole whose check kept failing: one step to the lowest held seq, never a walk.
      const lowest = this.held.size > 0 ? Math.min(...this.held.keys()) : to + 1;
      const jump = Math.min(to + 1, lowest) - this.next;
      if (jump > 0) {
        missing = missing ? { ...missing, to: this.next + jump - 1, count: missing.count + jump } : { from: this.next, to: this.next + jump - 1, count: jump, reason, err };
        this.next += jump;
      }
    }
    if (missing) this.opts.onSkipped?.(missing);
    this.drain();
  }

  /**
   * A live message more than maxGap ahead: a forged seq (2^53) must neither block the event loop
   * nor push the room's stream past every real message. History decides: if chat-service stored
   * that very message, the hole below it is real and is filled from history in steps; if not,
   * the message is dropped. A failed check counts as a failed fetch of the hole.
   */
  private async verifyFar(seq: number): Promise<void> {
    const msg = this.held.get(seq);
    if (!msg) return;
    const found = await this.opts.fetchGap(seq, seq);
    if (this.stopped || this.next === undefined) return;
    if (found.some((m) => m.seq === seq && m.id === msg.id)) {
      this.confirmedFar = seq;
      return;
    }
    this.held.delete(seq);
    this.opts.onDropped?.(msg);
    this.drain();
  }
}
