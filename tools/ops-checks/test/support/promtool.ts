/**
 * Runs Prometheus's promtool (Debian package `prometheus`) and returns its exit code and
 * output, so checks can show promtool's own explanation when it fails.
 */
import { spawnSync } from 'node:child_process';
import { findBinary } from '@relay/testing';

export interface PromtoolResult {
  status: number | null;
  output: string;
}

export function promtool(args: string[], cwd: string): PromtoolResult {
  const bin = findBinary('promtool', '/usr/bin/promtool', 'apt-get install -y prometheus (Debian), or brew install prometheus');
  const r = spawnSync(bin, args, { cwd, encoding: 'utf8', timeout: 60000 });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}
