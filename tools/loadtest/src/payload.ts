/**
 * The text of every load-test message: "lt <n> <send time ms>[ padding]". The send time is a
 * wall-clock epoch with sub-millisecond precision, comparable across the worker processes of
 * one machine, so any receiver can compute end-to-end latency. No "@" so no mention work.
 */

const MARK = 'lt ';

/** Wall-clock milliseconds with microsecond resolution (performance.now keeps it monotonic within a process). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export function encodePayload(n: number, sentAtMs: number, padding = 0): string {
  const base = `${MARK}${n} ${sentAtMs.toFixed(3)}`;
  return padding > 0 ? `${base} ${'x'.repeat(padding)}` : base;
}

/** undefined for a text that is not one of ours (another client in the room). */
export function decodePayload(text: string): { n: number; sentAtMs: number } | undefined {
  if (!text.startsWith(MARK)) return undefined;
  const parts = text.split(' ', 3);
  const n = Number(parts[1]);
  const sentAtMs = Number(parts[2]);
  if (!Number.isInteger(n) || n < 1 || !Number.isFinite(sentAtMs)) return undefined;
  return { n, sentAtMs };
}
