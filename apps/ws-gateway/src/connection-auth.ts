import type { TokenClaims } from '@relay/contracts';
import type { Connection } from './connection';

/** How often open connections are checked for an expired token. */
const DEFAULT_SWEEP_INTERVAL_MS = 1000;

/**
 * The token behind each open connection: its claims (room grants are read from here) and its
 * expiry. A connection whose token passed `exp` plus the clock skew without an `auth` frame
 * refreshing it is closed by a sweep over the open connections, at most one interval late.
 * One sweep, not one timer per connection: a timer costs every idle connection about 200 bytes,
 * a sweep of 10,000 claims a fraction of a millisecond per interval. The sweep runs only while
 * connections are open. One Map beside the connections, so the hot path in Connection stays as
 * it is.
 */
export class ConnectionAuth {
  private readonly claims = new Map<Connection, TokenClaims>();
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly opts: { clockSkewMs: number; onExpired: (conn: Connection) => void; now?: () => number; sweepIntervalMs?: number },
  ) {}

  /** A token already past its expiry (the upgrade checked it a moment ago) closes the connection at once. */
  attach(conn: Connection, claims: TokenClaims): void {
    if (claims.exp < this.expiredBefore()) {
      this.opts.onExpired(conn);
      return;
    }
    this.claims.set(conn, claims);
    this.sweeper ??= this.startSweeping();
  }

  /** A refreshed token (same `sub`, checked by the caller): new claims, new expiry. */
  refresh(conn: Connection, claims: TokenClaims): void {
    if (this.claims.has(conn)) this.claims.set(conn, claims);
  }

  claimsOf(conn: Connection): TokenClaims | undefined {
    return this.claims.get(conn);
  }

  detach(conn: Connection): void {
    this.claims.delete(conn);
    if (this.claims.size === 0) this.stopSweeping();
  }

  /** Closes (through `onExpired`) every connection whose token has expired; also run by the timer. */
  sweep(): void {
    const expiredBefore = this.expiredBefore();
    for (const [conn, claims] of this.claims) {
      if (claims.exp >= expiredBefore) continue;
      this.claims.delete(conn);
      this.opts.onExpired(conn);
    }
    if (this.claims.size === 0) this.stopSweeping();
  }

  /** A token whose `exp` (seconds) is below this has expired: it is good until exp + the clock skew. */
  private expiredBefore(): number {
    return ((this.opts.now?.() ?? Date.now()) - this.opts.clockSkewMs) / 1000;
  }

  private startSweeping(): NodeJS.Timeout {
    const timer = setInterval(() => this.sweep(), this.opts.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS);
    timer.unref();
    return timer;
  }

  private stopSweeping(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}
