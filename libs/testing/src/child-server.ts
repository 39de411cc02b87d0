import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A server process owned by a test: started on a fixed port so it can be stopped, killed with
 * SIGKILL and restarted on the same address while clients keep their URLs.
 */
export class ChildServer {
  private child?: ChildProcess;
  private output = '';

  constructor(
    readonly name: string,
    private readonly binary: string,
    private readonly args: string[],
    readonly port: number,
    private readonly ready: () => Promise<boolean>,
    /** Extra environment (e.g. the $VARS a nats-server config reads). */
    private readonly env: Record<string, string> = {},
  ) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends a signal without waiting for an exit, e.g. SIGHUP to make nats-server reload its configuration. */
  signalOnly(sig: NodeJS.Signals): void {
    if (!this.running) throw new Error(`${this.name} is not running`);
    this.child?.kill(sig);
  }

  /** The last output of the process, for error messages. */
  get log(): string {
    return this.output.slice(-4000);
  }

  async start(timeoutMs = 10000): Promise<void> {
    this.output = '';
    const child = spawn(this.binary, this.args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...this.env } });
    this.child = child;
    const collect = (b: Buffer) => {
      this.output = (this.output + b.toString()).slice(-20000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited during start-up:\n${this.log}`);
      if (await this.ready()) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    await this.kill();
    throw new Error(`${this.name} did not become ready on port ${this.port} within ${timeoutMs} ms:\n${this.log}`);
  }

  /** Graceful stop (SIGTERM); waits for the exit. */
  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  /** A crash: SIGKILL, no chance to clean up. */
  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(sig);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
