/**
 * Runs `npm run chaos -- --quick` as the command runs it (the built bundle against the built apps,
 * real nats-server and redis-server), so the chaos command cannot rot: it must start the stack,
 * inject its faults, recover from each, find nothing acknowledged lost and clean up.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const BUNDLE = join(ROOT, 'dist/tools/chaos/main.js');

function run(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [BUNDLE, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    child.on('exit', (code) => res({ code, output }));
  });
}

describe('chaos command', () => {
  const out = mkdtempSync(join(tmpdir(), 'relay-chaos-test-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('chaos command - --help lists the options and exits 0', async () => {
    expect(existsSync(BUNDLE)).toBe(true);
    const { code, output } = await run(['--help']);
    expect(code).toBe(0);
    expect(output).toContain('--nats-cluster');
  });

  it('chaos command - a bad option exits 2 with a clear message', async () => {
    const { code, output } = await run(['--users', 'lots']);
    expect(code).toBe(2);
    expect(output).toContain('--users needs a number');
  });

  it('chaos command - --quick kills a gateway and a chat-service and restarts Redis with nothing acknowledged lost, mentions included', async () => {
    const { code, output } = await run(['--quick', '--out', out]);
    // The whole output on failure: which fault lost what is the finding.
    if (code !== 0) throw new Error(`chaos --quick exited ${code}:\n${output}`);
    const report = JSON.parse(readFileSync(join(out, 'chaos-report.json'), 'utf8')) as {
      phases: { name: string; acked: number; lost: number; duplicates: number; recoveryMs?: number; clientsBackMs?: number }[];
      lost: unknown[];
      lostMentions: unknown[];
      totalMentions: number;
      mentionDuplicates: number;
      totalAcked: number;
      verdict: { ok: boolean };
    };
    expect(report.verdict.ok).toBe(true);
    expect(report.lost).toEqual([]);
    // Mentions too: every acknowledged one became exactly one notification for the mentioned user.
    expect(report.totalMentions).toBeGreaterThan(0);
    expect(report.lostMentions).toEqual([]);
    expect(report.mentionDuplicates).toBe(0);
    expect(report.phases.map((p) => p.name)).toEqual(['baseline', 'kill-ws-gateway', 'kill-chat-service', 'restart-redis']);
    for (const p of report.phases.slice(1)) {
      expect(p.recoveryMs).toBeGreaterThan(0);
      // Every client sent again after the fault, before the next one.
      expect(p.clientsBackMs).toBeGreaterThanOrEqual(p.recoveryMs ?? 0);
      expect(p.acked).toBeGreaterThan(0);
    }
    expect(readFileSync(join(out, 'chaos-report.md'), 'utf8')).toContain('| kill-chat-service |');
  }, 300_000);
});
