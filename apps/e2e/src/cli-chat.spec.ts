import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort, TestClient, TestStack, uniqueName, signToken, TEST_JWT_SECRET } from '@relay/testing';

const CLI = resolve(__dirname, '../../../dist/tools/chat-cli/main.js');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built terminal client with `input` on stdin (then stdin ends) and waits for it to exit. */
function runCli(args: string[], input: string, timeoutMs = 20000): Promise<CliRun> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`chat-cli did not exit within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

describe('chat-cli', () => {
  let stack: TestStack;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx nx build chat-cli\` first`);
    stack = await TestStack.start({ gateways: 1 });
  }, 60000);

  afterAll(async () => {
    await stack?.close();
  });

  it('cli - piped lines are stored in order, another client receives them, exit code 0', async () => {
    const room = uniqueName('cli');
    const user = uniqueName('alice');
    const observer = await TestClient.connect(stack.wsUrl(), signToken(uniqueName('obs'), TEST_JWT_SECRET));
    try {
      await observer.request({ type: 'join', room });
      const run = await runCli(['--user', user, '--room', room, '--url', stack.wsUrl()], 'hello one\nhello two @nobody\n');
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.stringContaining(`joined [${room}]`) });
      const got = await observer.collect((f) => f.type === 'message' && f.room === room, 2);
      expect(got.map((f) => [f.from, f.text])).toEqual([
        [user, 'hello one'],
        [user, 'hello two @nobody'],
      ]);
      expect((got[1].seq as number) - (got[0].seq as number)).toBe(1);
      // The CLI sees its own messages come back as well, in order. Member events are
      // ephemeral and may print between them (its own `joined` line can arrive late).
      const chatLines = run.stdout.split('\n').filter((line) => line.startsWith(`[${room}] ${user}: `));
      expect(chatLines).toEqual([`[${room}] ${user}: hello one`, `[${room}] ${user}: hello two @nobody`]);
    } finally {
      await observer.close();
    }
  });

  it('cli - /history and /who answer from the gateway', async () => {
    const room = uniqueName('cli');
    const user = uniqueName('bob');
    const writer = await TestClient.connect(stack.wsUrl(), signToken(uniqueName('w'), TEST_JWT_SECRET));
    try {
      await writer.request({ type: 'join', room });
      await writer.request({ type: 'send', room, text: 'earlier message' });
      const run = await runCli(['--user', user, '--room', room, '--url', stack.wsUrl()], '/history 5\n/who\n/bogus\n');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`[${room}] ${writer.welcome.user}: earlier message`);
      expect(run.stdout).toMatch(new RegExp(`\\[${room}\\] here: .*${user}`));
      expect(run.stderr).toContain('unknown command /bogus');
    } finally {
      await writer.close();
    }
  });

  it('cli - a wrong URL exits non-zero with a clear message', async () => {
    const port = await freePort();
    const run = await runCli(['--user', 'alice', '--url', `ws://127.0.0.1:${port}/ws`], 'never sent\n');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`cannot get a dev token from http://127.0.0.1:${port}/auth/dev-token: connection refused`);
  });

  it('cli - a refused token (401) exits non-zero and says why', async () => {
    const run = await runCli(['--token', signToken('alice', 'not-the-secret'), '--url', stack.wsUrl()], 'never sent\n');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('refused the connection with HTTP 401: the token was refused');
  });
});
