import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../../..');
export const START = resolve(ROOT, 'tools/dev-start/start.mjs');

/** `node tools/dev-start/start.mjs ...` as a child process whose whole output is kept. */
export class StartRun {
  readonly child: ChildProcess;
  private out = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[], env: Record<string, string>) {
    this.child = spawn(process.execPath, [START, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (b: Buffer) => {
      this.out += b.toString();
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((res) => this.child.once('exit', (code, signal) => res({ code, signal })));
  }

  get output(): string {
    return this.out;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Every "started <what> pid N" line the start command printed, by name. */
  startedPids(): Map<string, number> {
    const pids = new Map<string, number>();
    for (const m of this.out.matchAll(/^\[dev-start\] started (\S+)(?: as (\S+))? pid (\d+)/gm)) pids.set(m[2] ?? m[1], Number(m[3]));
    return pids;
  }
}

/** True while a process with this pid exists (signal 0 only checks). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}
