import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';
import { httpStatus, waitFor } from './wait-for';
import { missingBinaryMessage, requireServerBinary, serverArgs } from '@relay/local-servers';

const CLI = resolve(__dirname, '../../local-servers/src/cli.cjs');

/** Runs the command the CLI printed, as bench-stack.sh does, and stops it once `ready` holds. */
async function runPrinted(words: string[], ready: () => Promise<boolean>): Promise<void> {
  const child = spawn(words[0], words.slice(1), { stdio: 'ignore' });
  try {
    await waitFor(ready, { what: `${words[0]} ready`, timeoutMs: 10000 });
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}

const redisAnswers = (port: number) =>
  new Promise<boolean>((done) => {
    const sock = connect({ port, host: '127.0.0.1' }, () => sock.write('PING\r\n'));
    sock.once('data', (b) => {
      sock.destroy();
      done(b.toString().startsWith('+PONG'));
    });
    sock.once('error', () => done(false));
  });

describe('local-servers', () => {
  it('local-servers - arguments of a private server: loopback only, nothing persisted', () => {
    expect(serverArgs('nats', { port: 1234, monitorPort: 1235 })).toEqual(['-a', '127.0.0.1', '-p', '1234', '-m', '1235']);
    expect(serverArgs('nats', { port: 1, dir: '/d', jetstream: true })).toEqual(['-a', '127.0.0.1', '-p', '1', '-js', '-sd', '/d']);
    expect(serverArgs('redis', { port: 6000, dir: '/r' })).toEqual(['--port', '6000', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', '/r']);
    expect(() => serverArgs('nats', { port: 0 })).toThrow(/port/);
    expect(() => serverArgs('nats', { port: 1, jetstream: true })).toThrow(/dir/);
    expect(missingBinaryMessage('redis')).toContain('apt-get install -y redis-server');
  });

  it('local-servers - the CLI prints a command line that starts a working nats-server and redis-server', async () => {
    const [natsPort, monitor, redisPort] = [await freePort(), await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), 'local-servers-'));
    try {
      const nats = (await promisify(execFile)(process.execPath, [CLI, 'nats', '--port', String(natsPort), '--monitor', String(monitor)])).stdout.trim().split('\n');
      expect(nats[0]).toBe(requireServerBinary('nats'));
      await runPrinted(nats, async () => (await httpStatus(`http://127.0.0.1:${monitor}/healthz`)) === 200);
      const redis = (await promisify(execFile)(process.execPath, [CLI, 'redis', '--port', String(redisPort), '--dir', dir])).stdout.split('\n').slice(0, -1);
      expect(redis).toContain('');
      await runPrinted(redis, () => redisAnswers(redisPort));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30000);

  it('local-servers - the CLI runs the set-up `npm start` uses: --durable Redis keeps an append-only file, --config nats-server reads the file', async () => {
    const [natsPort, monitor, redisPort] = [await freePort(), await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), 'local-servers-'));
    try {
      const redis = (await promisify(execFile)(process.execPath, [CLI, 'redis', '--port', String(redisPort), '--dir', dir, '--durable'])).stdout.split('\n').slice(0, -1);
      await runPrinted(redis, async () => (await redisAnswers(redisPort)) && existsSync(join(dir, 'appendonlydir')));
      // A setting only the file carries: the monitoring port must come from it.
      const conf = join(dir, 'server.conf');
      writeFileSync(conf, `http_port: ${monitor}\n`);
      const nats = (await promisify(execFile)(process.execPath, [CLI, 'nats', '--port', String(natsPort), '--config', conf])).stdout.trim().split('\n');
      expect(nats.slice(0, 3)).toEqual([requireServerBinary('nats'), '-c', conf]);
      await runPrinted(nats, async () => (await httpStatus(`http://127.0.0.1:${monitor}/healthz`)) === 200);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30000);

  it('local-servers - the CLI refuses an unknown kind or a missing port with a usage line and exit 2', async () => {
    const err = (await promisify(execFile)(process.execPath, [CLI, 'mysql', '--port', '1']).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(2);
    expect(err.stderr).toContain('usage:');
  });
});
