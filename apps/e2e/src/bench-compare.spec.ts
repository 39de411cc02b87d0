/**
 * `npm run bench:compare -- --quick` end to end, so the comparison command cannot rot: it starts
 * Relay (built bundles), the Socket.IO reference peer and the raw-ws floor on free ports, drives
 * each with the load tester and writes the markdown table. Asserts what the table says (every
 * system delivered everything), never how fast anything was.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

function runCompare(args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'tools/loadtest/compare.mjs'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`bench:compare --quick did not finish within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output });
    });
  });
}

describe('bench:compare quick mode', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'relay-bench-compare-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('bench:compare - the quick run drives Relay, Socket.IO and the floor and writes one table with every system', async () => {
    const doc = join(dir, 'bench.md');
    const { code, output } = await runCompare(['--quick', '--no-build', '--doc', doc], 280000);
    expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
    const table = readFileSync(doc, 'utf8');
    expect(table).toContain('<!-- bench:compare:start -->');
    const rows = table.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---') && !l.startsWith('| load') && !l.startsWith('| connect+join'));
    // Two scenarios (light, storm) x three systems, each row with a result.
    expect(rows).toHaveLength(6);
    for (const system of ['Relay', 'Socket.IO', 'raw `ws`']) expect(rows.filter((r) => r.includes(system))).toHaveLength(2);
    for (const row of rows) expect(row.trim().endsWith('| all delivered |')).toBe(true);
  }, 300000);
});
