import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TestStack, uniqueName } from '@relay/testing';

const ROOT = resolve(__dirname, '../../..');

/** The parts of the tool's JSON result this test reads (the tool's own type lives in tools/loadtest). */
interface LoadtestReport {
  pass: boolean;
  connections: Record<string, number>;
  messages: { sent: number; acked: number; expectedDeliveries: number; received: number; lost: number; duplicates: number; outOfOrder: number; failed: number; unacked: number };
  latency: { e2eMs: { count: number } };
}
const TOOL = join(ROOT, 'dist/tools/loadtest/main.js');

/** Runs the built tool as a process; resolves with its exit code and output. */
function runTool(args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [TOOL, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`loadtest did not finish within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output });
    });
  });
}

describe('loadtest against the real stack', () => {
  let stack: TestStack;
  let dir: string;

  beforeAll(async () => {
    if (!existsSync(TOOL)) throw new Error(`${TOOL} is missing: run \`npx nx build loadtest\``);
    dir = mkdtempSync(join(tmpdir(), 'relay-loadtest-'));
    stack = await TestStack.start({ gateways: 2 });
  }, 60000);

  afterAll(async () => {
    await stack?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loadtest - a small load over two gateways delivers every message to every member exactly once', async () => {
    const out = join(dir, 'result.json');
    const { code, output } = await runTool(
      [
        '--gateways', `${stack.wsUrl(0)},${stack.wsUrl(1)}`,
        '--users', '20', '--rooms', '4', '--rate', '2', '--duration', '3',
        '--workers', '2', '--ramp', '1', '--drain', '5',
        '--prefix', uniqueName('lt'),
        '--out', out,
      ],
      60000,
    );
    const failure = `tool output:\n${output}\n${stack.logs()}`;
    expect({ code, failure }).toEqual({ code: 0, failure });
    const report = JSON.parse(readFileSync(out, 'utf8')) as LoadtestReport;
    expect(report.pass).toBe(true);
    expect(report.connections).toMatchObject({ users: 20, connected: 20, joined: 20, connectFailed: 0, joinFailed: 0 });
    // 20 users x 2 msg/s x 3 s, give or take the random phase of each user's first send.
    expect(report.messages.acked).toBeGreaterThanOrEqual(100);
    expect(report.messages.acked).toBe(report.messages.sent);
    // Rooms of 5 members spread over both gateways: every acked message is due 5 times.
    expect(report.messages.expectedDeliveries).toBe(report.messages.acked * 5);
    expect(report.messages.received).toBe(report.messages.expectedDeliveries);
    expect(report.messages).toMatchObject({ lost: 0, duplicates: 0, outOfOrder: 0, failed: 0, unacked: 0 });
    expect(report.latency.e2eMs.count).toBe(report.messages.received);
    expect(existsSync(out.replace(/\.json$/, '.svg'))).toBe(true);
  }, 90000);
});
