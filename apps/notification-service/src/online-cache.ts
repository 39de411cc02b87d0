export interface OnlineCacheOptions {
  /** Most users held; past it the least recently used entry is dropped. */
  maxUsers: number;
  /** How long an entry is believed after it was written, in ms. */
  ttlMs: number;
  /** The clock (ms); tests pass their own. */
  now?: () => number;
}

/** What applying an event did: `stale` means the cache already held something newer. */
export type EventOutcome = 'applied' | 'stale';

interface Entry {
  online: boolean;
  /**
   * Presence time (`at`) of the latest event applied for the user. Kept when a PresenceOnline
   * answer replaces the state, so an older event arriving later still cannot win.
   */
  eventAt: number | undefined;
  /** Local time the entry was last written. */
  updatedAt: number;
  /** Local time after which `online` is no longer believed. */
  expiresAt: number;
}

/**
 * Per user, whether presence-service last said they are online: fed by its UserOnline /
 * UserOffline events and by PresenceOnline answers. Only the `delivered` reply of NotifySend
 * depends on it (a notification is stored first and published whatever it says), so a wrong
 * entry costs a wrong `live`/`stored` label for at most `ttlMs`, never a notification.
 *
 * Bounded twice: entries are believed for `ttlMs` (an event missed while NATS was unreachable
 * misleads for that long at most) and at most `maxUsers` are held, least recently used first out.
 * A Map keeps insertion order, so re-inserting on use makes its first key the LRU one.
 */
export class OnlineCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly opts: OnlineCacheOptions) {
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The user's state while it is fresh; `undefined` when unknown or too old to believe. */
  get(user: string): boolean | undefined {
    const entry = this.entries.get(user);
    if (!entry || entry.expiresAt <= this.now()) return undefined;
    this.touch(user, entry);
    return entry.online;
  }

  /**
   * A UserOnline (`online` true) or UserOffline event at presence time `at`. Events for one user
   * may arrive in any order, so the latest `at` wins; on a tie offline wins (`stored` is the
   * answer that is never wrong about delivery). An event older than the freshness bound is not
   * believed: it could only be a late redelivery.
   */
  applyEvent(user: string, online: boolean, at: number): EventOutcome {
    const now = this.now();
    if (at <= now - this.opts.ttlMs) return 'stale';
    const held = this.entries.get(user);
    if (held?.eventAt !== undefined && (at < held.eventAt || (at === held.eventAt && online && !held.online))) return 'stale';
    this.write(user, { online, eventAt: at, updatedAt: now, expiresAt: now + this.opts.ttlMs });
    return 'applied';
  }

  /**
   * A PresenceOnline answer to a request sent at local time `askedAt`. An event applied since
   * then is newer than the answer may be (presence took its snapshot somewhere between the two),
   * so it is kept. The answer has no presence time: any later event replaces it.
   */
  applyAnswer(user: string, online: boolean, askedAt: number): void {
    const now = this.now();
    const held = this.entries.get(user);
    if (held && held.updatedAt >= askedAt && held.expiresAt > now) return;
    this.write(user, { online, eventAt: held?.eventAt, updatedAt: now, expiresAt: now + this.opts.ttlMs });
  }

  private write(user: string, entry: Entry): void {
    this.touch(user, entry);
    while (this.entries.size > this.opts.maxUsers) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  private touch(user: string, entry: Entry): void {
    this.entries.delete(user);
    this.entries.set(user, entry);
  }
}
