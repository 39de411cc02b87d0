/**
 * Runs Prometheus's promtool (Debian package `prometheus`) and returns its exit code and
 * output, so checks can show promtool's own explanation when it fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { missingBinaryMessage, requireServerBinary } from '@relay/local-servers';

export interface PromtoolResult {
  status: number | null;
  output: string;
}

export function promtool(args: string[], cwd: string): PromtoolResult {
  // promtool comes with prometheus, in the same folder.
  const bin = join(dirname(requireServerBinary('prometheus')), 'promtool');
  if (!existsSync(bin)) throw new Error(`${bin} is missing. ${missingBinaryMessage('prometheus')}`);
  const r = spawnSync(bin, args, { cwd, encoding: 'utf8', timeout: 60000 });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}
