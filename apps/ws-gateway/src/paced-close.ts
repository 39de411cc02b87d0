/**
 * Scale-down without a reconnect storm. When a gateway with thousands of sockets stops, closing
 * them all at once sends every client to the other gateways in the same second (each reconnect
 * costs a TLS handshake, a JWT check, joins and presence updates there). Instead the closes
 * (1012, "restart") are spread evenly over a window: DRAIN_SPREAD_PERCENT of
 * SHUTDOWN_TIMEOUT_MS. The clients' own jittered backoff spreads their reconnects further.
 * A few sockets still close at once: the pace never drops below MIN_CLOSES_PER_SEC.
 */

/** Below this pace pacing buys nothing: 100 reconnects a second are nothing for a gateway. */
export const MIN_CLOSES_PER_SEC = 100;
const TICK_MS = 50;

export interface DrainTimings {
  /** Closes are spread over this long. */
  spreadMs: number;
  /** After the last close is sent, how long the close handshakes may take before sockets are cut. */
  closeGraceMs: number;
}

/**
 * Splits the shutdown budget: the spread, then a short grace for close handshakes, and at least
 * a tenth of the budget left for draining NATS afterwards.
 */
export function drainTimings(shutdownTimeoutMs: number, spreadPercent: number): DrainTimings {
  const spreadMs = Math.floor((shutdownTimeoutMs * spreadPercent) / 100);
  const rest = Math.max(0, Math.floor(shutdownTimeoutMs * 0.9) - spreadMs);
  return { spreadMs, closeGraceMs: Math.max(100, Math.min(2000, rest)) };
}

/** How many closes go out per tick so `total` fit in `windowMs` (never slower than MIN_CLOSES_PER_SEC). */
export function closesPerTick(total: number, windowMs: number): number {
  if (windowMs <= 0) return Math.max(1, total);
  const perSec = Math.max(MIN_CLOSES_PER_SEC, (total * 1000) / windowMs);
  return Math.max(1, Math.ceil((perSec * TICK_MS) / 1000));
}

export interface PacingClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: PacingClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Calls `close` for every item, a batch every 50 ms, so the last one goes out when the window
 * ends. Each batch is sized from what is left and the ticks left, so a tick delayed by a busy
 * event loop is made up evenly over the remaining ticks rather than by one burst at the end.
 */
export async function closePaced<T>(items: readonly T[], close: (item: T) => void, windowMs: number, clock: PacingClock = realClock): Promise<void> {
  const minBatch = closesPerTick(items.length, windowMs);
  const deadline = clock.now() + windowMs;
  let next = 0;
  while (next < items.length) {
    const ticksLeft = Math.floor((deadline - clock.now()) / TICK_MS);
    const batch = ticksLeft < 1 ? items.length : Math.max(minBatch, Math.ceil((items.length - next) / ticksLeft));
    const end = Math.min(items.length, next + batch);
    for (; next < end; next++) close(items[next]);
    if (next < items.length) await clock.sleep(TICK_MS);
  }
}
