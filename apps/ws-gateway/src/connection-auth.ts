import type { TokenClaims } from '@relay/contracts';
import type { Connection } from './connection';

/** setTimeout's largest delay (about 24.8 days): a later expiry is re-armed in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface AuthState {
  claims: TokenClaims;
  timer?: NodeJS.Timeout;
}

/**
 * The token behind each open connection: its claims (room grants are read from here) and a
 * timer that closes the socket when the token expires (`exp` plus the clock skew) unless an
 * `auth` frame refreshed it first. One Map beside the connections, so the hot path in
 * Connection stays as it is.
 */
export class ConnectionAuth {
  private readonly states = new Map<Connection, AuthState>();

  constructor(
    private readonly opts: { clockSkewMs: number; onExpired: (conn: Connection) => void; now?: () => number },
  ) {}

  attach(conn: Connection, claims: TokenClaims): void {
    this.replace(conn, claims);
  }

  /** A refreshed token (same `sub`, checked by the caller): new claims, new expiry. */
  refresh(conn: Connection, claims: TokenClaims): void {
    if (!this.states.has(conn)) return;
    this.replace(conn, claims);
  }

  claimsOf(conn: Connection): TokenClaims | undefined {
    return this.states.get(conn)?.claims;
  }

  detach(conn: Connection): void {
    clearTimeout(this.states.get(conn)?.timer);
    this.states.delete(conn);
  }

  private replace(conn: Connection, claims: TokenClaims): void {
    const old = this.states.get(conn);
    clearTimeout(old?.timer);
    const state: AuthState = { claims };
    this.states.set(conn, state);
    this.arm(conn, state);
  }

  private arm(conn: Connection, state: AuthState): void {
    const now = this.opts.now?.() ?? Date.now();
    const left = state.claims.exp * 1000 + this.opts.clockSkewMs - now;
    if (left <= 0) {
      this.states.delete(conn);
      this.opts.onExpired(conn);
      return;
    }
    state.timer = setTimeout(() => {
      if (this.states.get(conn) !== state) return;
      this.arm(conn, state);
    }, Math.min(left, MAX_TIMER_MS));
    state.timer.unref();
  }
}
