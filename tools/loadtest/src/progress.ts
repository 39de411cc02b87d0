import type { LiveSnapshot } from './coordinator';

/** One status line: phase, connections, counts with per-second rates, recent latency, drain state. */
export function formatProgress(s: LiveSnapshot, previous?: LiveSnapshot): string {
  const dt = previous ? Math.max(0.001, s.elapsedS - previous.elapsedS) : 0;
  const rate = (now: number, before: number | undefined) => (previous && before !== undefined ? ` (${Math.round((now - before) / dt)}/s)` : '');
  const latency = s.interval.count ? `p50 ${s.interval.percentile(50).toFixed(1)} p99 ${s.interval.percentile(99).toFixed(1)} ms` : 'p50 - p99 - ms';
  const parts = [
    `[${s.elapsedS.toFixed(0).padStart(4)}s] ${s.phase.padEnd(7)}`,
    `joined ${s.joined}/${s.users}`,
    `sent ${s.sent}${rate(s.sent, previous?.sent)}`,
    `acked ${s.acked}`,
    `recv ${s.received}/${s.expected}${rate(s.received, previous?.received)}`,
    latency,
    `pending ${s.pendingAcks}`,
    `errors ${s.errors}`,
  ];
  if (s.duplicates || s.outOfOrder) parts.push(`dup ${s.duplicates} ooo ${s.outOfOrder}`);
  return parts.join('  ');
}

/**
 * Prints one line per second on a terminal; when stdout is a file or a pipe (CI logs), only every
 * `quietEvery`-th second and at phase changes, so a long run does not flood the log.
 */
export class ProgressPrinter {
  private previous?: LiveSnapshot;
  private ticks = 0;

  constructor(
    private readonly write: (line: string) => void,
    private readonly tty: boolean,
    private readonly quietEvery = 10,
  ) {}

  tick(s: LiveSnapshot, phaseChanged: boolean): boolean {
    this.ticks++;
    const print = phaseChanged || this.tty || this.ticks % this.quietEvery === 0;
    if (print) this.write(formatProgress(s, this.previous));
    // Rates are per second between ticks, printed or not.
    this.previous = s;
    return print;
  }
}
