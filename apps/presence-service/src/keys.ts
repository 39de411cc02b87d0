/**
 * Key names the TypeScript side reads directly (queries, outbox). The scripts build the same
 * names from the same prefix (lua/prelude.ts lists them all); every key carries the prefix's
 * hash tag, so all presence keys live in one Redis Cluster slot.
 */
export class PresenceKeys {
  constructor(readonly prefix: string) {}

  room(room: string): string {
    return `${this.prefix}:rm:${room}`;
  }

  /** The staged parts of one chunked snapshot (the stage script builds the same name; it expires unless completed). */
  snapshotParts(gateway: string, chunkId: string): string {
    return `${this.prefix}:snap:${gateway}:${chunkId}`;
  }

  get online(): string {
    return `${this.prefix}:online`;
  }

  get leases(): string {
    return `${this.prefix}:leases`;
  }

  get stats(): string {
    return `${this.prefix}:stats`;
  }

  get outbox(): string {
    return `${this.prefix}:outbox`;
  }

  /** Held by the one instance that republishes stale outbox entries at a time. */
  get outboxLock(): string {
    return `${this.prefix}:outbox:lock`;
  }
}
