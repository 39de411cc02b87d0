import pino, { type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  service: string;
  instanceId: string;
  level?: string;
  /** Human-readable output for a terminal; JSON otherwise (what log shippers want). */
  pretty?: boolean;
}

export function createLogger(opts: LoggerOptions): Logger {
  return pino({
    level: opts.level ?? 'info',
    base: { service: opts.service, instance: opts.instanceId },
    transport: opts.pretty ? { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l' } } : undefined,
  });
}
