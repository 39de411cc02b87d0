/**
 * Spans the apps open themselves (the gateway's client frames and fan-outs, chat-service's Redis
 * script), made the same way everywhere. Callers test their tracing flag (Bus.tracing) first and
 * call these only when it is on, so a process without an SDK allocates nothing for them.
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context } from '@opentelemetry/api';
import { runInSpan } from '@relay/bus';

const tracer = trace.getTracer('@relay/service-kit');

export type { Context as TraceContext } from '@opentelemetry/api';

export type SpanRole = 'server' | 'client' | 'internal';

const KINDS: Record<SpanRole, SpanKind> = { server: SpanKind.SERVER, client: SpanKind.CLIENT, internal: SpanKind.INTERNAL };

/**
 * Runs `run` inside a new span (child of `parent`, else of the active context) and ends it when
 * `run` returns or settles; an error marks it failed and is passed on.
 */
export function withSpan<T>(name: string, role: SpanRole, attributes: Attributes, run: () => T, parent: Context = context.active()): T {
  return runInSpan(tracer.startSpan(name, { kind: KINDS[role], attributes }, parent), parent, run);
}

/**
 * The trace context a client sent as a W3C `traceparent` (an optional field of client frames);
 * the root context when it sent none, so the frame's span starts a new trace.
 */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  return traceparent === undefined ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, { traceparent });
}

/** The context to remember when work continues later (a held message fanned out after a gap closes). */
export function activeTraceContext(): Context {
  return context.active();
}

/** Marks the active span failed with a code, e.g. when a frame is answered with an error. */
export function markActiveSpanFailed(code: string): void {
  trace.getActiveSpan()?.setStatus({ code: SpanStatusCode.ERROR, message: code });
}

/** Adds a fact learnt while the span ran, e.g. how many recipients a fan-out reached. */
export function setActiveSpanAttribute(key: string, value: string | number | boolean): void {
  trace.getActiveSpan()?.setAttribute(key, value);
}

/** The span around one Redis script call (EVALSHA), a CLIENT span in the trace of the request. */
export function traceRedisScript<T>(script: string, run: () => Promise<T>): Promise<T> {
  return withSpan(`redis ${script}`, 'client', { 'db.system.name': 'redis', 'db.operation.name': 'EVALSHA', 'db.stored_procedure.name': script }, run);
}
