/**
 * Line-level reading of our own rule and test files (their layout is ours and fixed): which
 * alerts exist with which runbook link, and which alerts the promtool tests expect to fire
 * or to stay quiet. promtool itself validates the YAML; this only keeps the sets in step.
 */
import { readFileSync } from 'node:fs';

export interface AlertRule {
  name: string;
  /** The `runbook:` annotation, e.g. docs/operations.md#relaygatewaydown. */
  runbook?: string;
}

export function alertRules(file: string): AlertRule[] {
  const text = readFileSync(file, 'utf8');
  return text
    .split(/^\s*- alert: /m)
    .slice(1)
    .map((block) => ({ name: block.split('\n')[0].trim(), runbook: /^\s*runbook: (\S+)\s*$/m.exec(block)?.[1] }));
}

export function recordedNames(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^\s*- record: (\S+)\s*$/gm)].map((m) => m[1]);
}

export interface AlertTestCoverage {
  fires: Set<string>;
  quiet: Set<string>;
}

/** Per alert: does some eval expect it firing, and some eval expect it quiet (`exp_alerts: []`). */
export function alertTestCoverage(file: string): AlertTestCoverage {
  const fires = new Set<string>();
  const quiet = new Set<string>();
  for (const evalCase of readFileSync(file, 'utf8').split(/^\s*- eval_time: /m).slice(1)) {
    const name = /^\s*alertname: (\S+)\s*$/m.exec(evalCase)?.[1];
    if (!name) continue;
    if (/^\s*exp_alerts: \[\]\s*$/m.test(evalCase)) quiet.add(name);
    else if (/^\s*exp_alerts:\s*$/m.test(evalCase) && /exp_labels:/.test(evalCase)) fires.add(name);
  }
  return { fires, quiet };
}
