export interface RecentIdsOptions {
  /** Most ids remembered; past it the oldest is forgotten. */
  maxIds: number;
  /** How long an id is remembered, in ms. */
  windowMs: number;
  now?: () => number;
}

/**
 * Envelope ids seen lately, to drop redelivered events (presence-service publishes at least
 * once and republishes with the same id). Bounded by count and by age, so memory stays flat
 * whatever the event rate; an id forgotten early only lets a duplicate through, which the
 * consumer's own ordering rule (latest `at` wins) makes harmless.
 */
export class RecentIds {
  /** id -> time first seen; insertion order is age order, so pruning reads from the front. */
  private readonly seen = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly opts: RecentIdsOptions) {
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.seen.size;
  }

  /** True the first time an id is offered (within the window), false for a repeat. */
  firstSeen(id: string): boolean {
    const now = this.now();
    this.prune(now);
    if (this.seen.has(id)) return false;
    this.seen.set(id, now);
    while (this.seen.size > this.opts.maxIds) this.seen.delete(this.seen.keys().next().value as string);
    return true;
  }

  private prune(now: number): void {
    for (const [id, at] of this.seen) {
      if (at > now - this.opts.windowMs) break;
      this.seen.delete(id);
    }
  }
}
