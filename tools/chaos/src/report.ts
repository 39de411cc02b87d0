/**
 * The chaos run's reports: JSON for machines (every phase's figures, every lost message) and a
 * markdown table for people and docs/reliability.md. The verdict lives here too, so the exit code
 * and the report can never disagree.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PhaseStats } from './ledger';
import type { ChaosResult } from './run';

export interface Verdict {
  ok: boolean;
  reasons: string[];
  /** Something acknowledged was lost or duplicated (exit 1); other failures exit 3. */
  loss: boolean;
}

export function verdictOf(r: ChaosResult): Verdict {
  const reasons: string[] = [];
  if (r.lost.length) reasons.push(`${r.lost.length} acknowledged message(s) lost (${r.lost.filter((l) => !l.inStore).length} of them not in the store either)`);
  if (r.duplicates) reasons.push(`${r.duplicates} duplicate(s) shown to users`);
  if (r.lostMentions.length) reasons.push(`${r.lostMentions.length} acknowledged mention(s) never notified`);
  if (r.mentionDuplicates) reasons.push(`${r.mentionDuplicates} mention(s) notified twice`);
  for (const p of r.phases) if (p.error) reasons.push(`${p.name} did not recover: ${p.error}`);
  if (r.totalAcked === 0) reasons.push('no message was acknowledged at all');
  if (r.skipped.length) reasons.push(`incomplete: ${r.skipped.join(', ')} skipped to keep the deadline`);
  const loss = r.lost.length > 0 || r.duplicates > 0 || r.lostMentions.length > 0 || r.mentionDuplicates > 0;
  return { ok: reasons.length === 0, reasons, loss };
}

function seconds(p: PhaseStats, ms: number | undefined): string {
  if (ms !== undefined) return `${(ms / 1000).toFixed(1)} s`;
  return p.name === 'baseline' ? '-' : 'not recovered';
}

export function markdownReport(r: ChaosResult, command: string): string {
  const v = verdictOf(r);
  const lines = [
    `# Chaos run ${r.startedAt}`,
    '',
    `\`${command}\`: ${r.options.users} clients in ${r.options.rooms} rooms, ${r.options.roomRate} msg/s per room, ` +
      `NATS ${r.options.natsCluster ? `${r.options.natsCluster}-node cluster` : 'single server'}, Redis AOF everysec; ` +
      `${r.durationS} s on ${r.machine.cpus} CPUs (load average ${r.machine.loadAverage1m} at the end).`,
    '',
    '| phase | acked | lost | of which not stored | duplicates | mentions | mentions lost | mentions twice | gaps recovered | unrecovered rejoins | send failures | longest send outage | processes ready after | clients sending after |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.phases.map(
      (p) =>
        `| ${p.name} | ${p.acked} | ${p.lost} | ${p.lostFromStore} | ${p.duplicates} | ${p.mentions} | ${p.mentionsLost} | ${p.mentionDuplicates} | ${p.gapsRecovered} | ${p.unrecoveredJoins} | ${p.sendFailures} | ` +
        `${(p.longestSendOutageMs / 1000).toFixed(1)} s | ${seconds(p, p.recoveryMs)} | ${seconds(p, p.clientsBackMs)} |`,
    ),
    '',
    `Total acknowledged: ${r.totalAcked} messages, ${r.totalMentions} of them mentions. Verdict: ${v.ok ? 'PASS, nothing acknowledged lost, no duplicate, every mention notified once' : `FAIL: ${v.reasons.join('; ')}`}.`,
  ];
  if (r.skipped.length) lines.push('', `Skipped (the deadline would not fit them): ${r.skipped.join(', ')}.`);
  if (r.lost.length) {
    lines.push('', 'Lost messages (first 20): phase, room, seq, members that missed it, still in the store:');
    for (const l of r.lost.slice(0, 20)) lines.push(`- ${l.phase} ${l.room} seq ${l.seq} (${l.id}): missed by ${l.missedBy}, ${l.inStore ? 'stored' : 'NOT stored'}`);
  }
  if (r.lostMentions.length) {
    lines.push('', 'Mentions never notified (first 20): phase, message, mentioned user:');
    for (const m of r.lostMentions.slice(0, 20)) lines.push(`- ${m.phase} ${m.messageId} -> ${m.mentioned}`);
  }
  lines.push('', 'Faults:', ...r.faults.map((f) => `- ${f.name}: ${f.description}`));
  return `${lines.join('\n')}\n`;
}

/** Writes chaos-report.json and chaos-report.md into `dir`; returns their paths. */
export function writeReports(dir: string, r: ChaosResult, command: string): string[] {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'chaos-report.json');
  const md = join(dir, 'chaos-report.md');
  writeFileSync(json, `${JSON.stringify({ ...r, verdict: verdictOf(r) }, null, 2)}\n`);
  writeFileSync(md, markdownReport(r, command));
  return [json, md];
}
