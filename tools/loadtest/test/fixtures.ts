import { parseArgs, type LoadtestOptions } from '../src/args';
import type { RunOutcome } from '../src/coordinator';
import { WorkerStats } from '../src/stats';

export function fixtureOptions(extra: string[] = []): LoadtestOptions {
  const defaults: Record<string, string> = { '--gateways': 'ws://127.0.0.1:1/ws,ws://127.0.0.1:2/ws', '--users': '4', '--rooms': '1', '--rate': '1', '--duration': '2', '--workers': '2' };
  for (let i = 0; i < extra.length; i += 2) defaults[extra[i]] = extra[i + 1];
  const parsed = parseArgs(Object.entries(defaults).flat());
  if (parsed.help) throw new Error('unexpected help');
  return parsed.options;
}

/**
 * Two workers, four users in one room, each user sends 2 messages that every member receives
 * (latency 1..8 ms). `mutate` may alter the stats before the results are taken.
 */
export function fixtureOutcome(mutate: (stats: WorkerStats[]) => void = () => undefined): RunOutcome {
  const start = 1_764_000_000_000;
  const users = ['u0', 'u1', 'u2', 'u3'];
  const stats = [new WorkerStats(0), new WorkerStats(1)];
  users.forEach((u, i) => stats[i % 2].joined(u, 'r', 5 + i));
  stats.forEach((s) => s.startTimeline(start));
  let seq = 0;
  for (let n = 1; n <= 2; n++) {
    users.forEach((from, i) => {
      const sentAt = start + n * 1000 - 900 + i;
      stats[i % 2].sent(sentAt);
      stats[i % 2].acked(from, n, 2);
      seq++;
      users.forEach((to, j) => stats[j % 2].delivered(to, from, n, seq, sentAt, sentAt + 1 + j + n));
    });
  }
  mutate(stats);
  return {
    startedAt: start - 500,
    sendStartAt: start,
    sendEndAt: start + 2000,
    drainEndAt: start + 2100,
    finishedAt: start + 2200,
    membersByRoom: { r: 4 },
    results: stats.map((s) => s.result(0)),
  };
}
