/**
 * The one pino logger of a service. Every line written while a span is active carries its
 * `traceId` and `spanId`, so a trace found in the tracing backend leads to its log lines and back.
 */
import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  service: string;
  instanceId: string;
  level?: string;
  /** Human-readable output for a terminal; JSON otherwise (what log shippers want). */
  pretty?: boolean;
  /** Where JSON lines go; stdout when absent (tests pass a stream to read them back). */
  destination?: pino.DestinationStream;
}

const NO_TRACE: object = Object.freeze({});

/** pino mixin: the active span's ids. Without an SDK there is never an active span. */
export function traceLogFields(): object {
  const span = trace.getActiveSpan();
  if (!span) return NO_TRACE;
  const sc = span.spanContext();
  return isSpanContextValid(sc) ? { traceId: sc.traceId, spanId: sc.spanId } : NO_TRACE;
}

export function createLogger(opts: LoggerOptions): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level ?? 'info',
    base: { service: opts.service, instance: opts.instanceId },
    mixin: traceLogFields,
    // pino's default merge writes the line's fields into the mixin's object; the shared empty one
    // must stay empty, so a line outside any span keeps its own object as it is.
    mixinMergeStrategy: (fields, mixed) => (mixed === NO_TRACE ? fields : Object.assign(mixed, fields)),
    transport: opts.pretty ? { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l' } } : undefined,
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
