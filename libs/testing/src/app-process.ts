import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { httpStatus } from './wait-for';

export type AppName = 'ws-gateway' | 'chat-service' | 'presence-service' | 'notification-service';

const ROOT = resolve(__dirname, '../../..');

export interface AppProcessOptions {
  env: Record<string, string>;
  /** Where `/readyz` answers: PORT for the gateway, HEALTH_PORT for the others. */
  port: number;
  readyTimeoutMs?: number;
}

/**
 * A real app process built by `nx build` (dist/apps/<name>/main.js), as it runs in production.
 * Logs are kept so a failing test can show them.
 */
export class AppProcess {
  private child?: ChildProcess;
  private output: string[] = [];
  private exit: Promise<number | null> = Promise.resolve(null);

  constructor(
    readonly name: AppName,
    private readonly opts: AppProcessOptions,
  ) {}

  get port(): number {
    return this.opts.port;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get logs(): string {
    return this.output.join('');
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    const main = resolve(ROOT, 'dist/apps', this.name, 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run \`npx nx build ${this.name}\` first`);
    const child = spawn(process.execPath, [main], {
      env: { ...process.env, LOG_LEVEL: 'info', ...this.opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (b: Buffer) => {
      this.output.push(b.toString());
      if (this.output.length > 2000) this.output.splice(0, 1000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exit = new Promise((res) => child.once('exit', (code) => res(code)));
    const deadline = Date.now() + (this.opts.readyTimeoutMs ?? 15000);
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited during start-up:\n${this.logs.slice(-4000)}`);
      if ((await httpStatus(`http://127.0.0.1:${this.opts.port}/readyz`)) === 200) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${this.name} not ready on port ${this.opts.port}:\n${this.logs.slice(-4000)}`);
  }

  /** SIGTERM and wait for the exit code (graceful shutdown). */
  async stop(timeoutMs = 15000): Promise<number | null> {
    if (!this.child || !this.running) return this.child?.exitCode ?? null;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    const code = await this.exit;
    clearTimeout(timer);
    return code;
  }

  /** SIGKILL: a crash, with no cleanup at all. */
  async kill(): Promise<void> {
    if (!this.child || !this.running) return;
    this.child.kill('SIGKILL');
    await this.exit;
  }
}
