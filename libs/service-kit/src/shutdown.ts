import type { Logger } from './logger';

interface Step {
  name: string;
  run: () => Promise<void> | void;
}

/**
 * Ordered, bounded, idempotent shutdown. Steps run in the order they were added (stop
 * accepting, close sockets, drain NATS, quit Redis); a failing step is logged and the rest
 * still run; the whole thing gives up after `timeoutMs`.
 */
export class Shutdown {
  private readonly steps: Step[] = [];
  private running?: Promise<void>;

  constructor(
    private readonly logger: Logger,
    private readonly timeoutMs: number,
  ) {}

  add(name: string, run: () => Promise<void> | void): void {
    this.steps.push({ name, run });
  }

  /** Adds a step just before the step named `before` (after steps inserted there earlier). */
  insertBefore(before: string, name: string, run: () => Promise<void> | void): void {
    const at = this.steps.findIndex((s) => s.name === before);
    if (at < 0) throw new Error(`shutdown has no step "${before}"`);
    this.steps.splice(at, 0, { name, run });
  }

  get started(): boolean {
    return this.running !== undefined;
  }

  run(reason: string): Promise<void> {
    this.running ??= this.execute(reason);
    return this.running;
  }

  private async execute(reason: string): Promise<void> {
    this.logger.info({ reason }, 'shutting down');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.timeoutMs);
      timer.unref();
    });
    const steps = (async () => {
      for (const step of this.steps) {
        try {
          await step.run();
        } catch (err) {
          this.logger.error({ err, step: step.name }, 'shutdown step failed');
        }
      }
    })();
    const outcome = await Promise.race([steps.then(() => 'done' as const), timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') this.logger.warn({ timeoutMs: this.timeoutMs }, 'shutdown timed out; exiting anyway');
    else this.logger.info('shutdown complete');
  }
}

/** SIGTERM and SIGINT run the shutdown once, then exit; a second signal exits at once. */
export function exitOnSignals(shutdown: Shutdown, logger: Logger): void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (shutdown.started) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    void shutdown.run(signal).then(() => process.exit(0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
