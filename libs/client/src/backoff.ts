/**
 * Reconnect delays: exponential growth with "full jitter" (a uniform random delay between zero
 * and the capped exponential), so thousands of clients dropped by one gateway restart spread
 * their reconnects over the whole window instead of arriving together.
 */
export interface BackoffOptions {
  /** Ceiling of the first retry's delay. */
  baseMs: number;
  /** Upper bound for any delay. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 15_000 };

/** Delay before retry number `attempt` (0 = first retry): random in [0, min(max, base * 2^attempt)). */
export function backoffDelay(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, Math.min(attempt, 30)));
  return Math.floor(random() * ceiling);
}
