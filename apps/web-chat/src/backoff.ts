/** Reconnect delays: exponential growth, capped, with jitter so a gateway restart does not get a thundering herd. */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter. */
  baseMs: number;
  /** Upper bound for any delay. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 10_000 };

/**
 * Delay before reconnect attempt number `attempt` (0 for the first retry): a random value in
 * [half, full] of min(max, base * 2^attempt). "Equal jitter": never zero, so a dead gateway
 * is not hammered, yet clients that dropped together spread out.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, Math.min(attempt, 30)));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
