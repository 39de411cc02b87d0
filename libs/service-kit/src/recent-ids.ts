export interface RecentIdsOptions {
  /** Most ids remembered; past it the oldest is forgotten. */
  maxIds: number;
  /** How long an id is remembered, in ms (forever, within `maxIds`, when absent). */
  windowMs?: number;
  now?: () => number;
}

/**
 * Ids seen lately, bounded by count and by age, so memory stays flat whatever the rate: for
 * dropping redelivered events and notifications (at-least-once delivery reuses ids). An id
 * forgotten early only lets one duplicate through.
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

  has(id: string): boolean {
    this.prune(this.now());
    return this.seen.has(id);
  }

  add(id: string): void {
    const now = this.now();
    this.prune(now);
    if (this.seen.has(id)) return;
    this.seen.set(id, now);
    while (this.seen.size > this.opts.maxIds) this.seen.delete(this.seen.keys().next().value as string);
  }

  /** True the first time an id is offered (within the window), false for a repeat. */
  firstSeen(id: string): boolean {
    if (this.has(id)) return false;
    this.add(id);
    return true;
  }

  private prune(now: number): void {
    if (this.opts.windowMs === undefined) return;
    for (const [id, at] of this.seen) {
      if (at > now - this.opts.windowMs) break;
      this.seen.delete(id);
    }
  }
}
