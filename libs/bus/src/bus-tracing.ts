/**
 * Trace context across NATS: the W3C `traceparent` (and `tracestate`) travel in the message
 * headers next to the correlation id, and the Bus opens one span per publish, request (client
 * side), served request (server side) and traced event it consumes. Only @opentelemetry/api is
 * used here: with no SDK registered the Bus never calls into it (see `tracingActive`), so tracing
 * that is off costs a boolean test per message.
 */
import {
  context,
  propagation,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import type { MsgHdrs } from 'nats';

export const TRACEPARENT_HEADER = 'traceparent';

const tracer = trace.getTracer('@relay/bus');

/** The no-op provider the API delegates to while no SDK is registered. */
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * Whether an OpenTelemetry SDK is registered right now. The Bus asks once, when it is made (the
 * service kit starts the SDK before it builds the Bus), and keeps the answer.
 */
export function tracingActive(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NOOP_PROVIDER;
}

const headerSetter: TextMapSetter<MsgHdrs> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

const headerGetter: TextMapGetter<MsgHdrs | undefined> = {
  keys: (carrier) => (carrier ? carrier.keys() : []),
  get: (carrier, key) => (carrier?.has(key) ? carrier.get(key) : undefined),
};

/** Writes the trace context of `ctx` (traceparent, tracestate) into NATS headers. */
export function injectTraceHeaders(headers: MsgHdrs, ctx: Context): void {
  propagation.inject(ctx, headers, headerSetter);
}

/** The trace context a message carries, or the root context when it carries none. */
export function extractTraceHeaders(headers: MsgHdrs | undefined): Context {
  // From the root: a message's parent is what its headers say, never whatever context happened to be active.
  return propagation.extract(ROOT_CONTEXT, headers, headerGetter);
}

/** Whether a message carries a trace context at all. */
export function hasTraceHeaders(headers: MsgHdrs | undefined): boolean {
  return headers?.has(TRACEPARENT_HEADER) === true;
}

/** Marks a span failed with the error's code (ContractError) or message. */
export function recordSpanError(span: Span, err: unknown): void {
  const code = (err as { code?: unknown } | null)?.code;
  span.setStatus({ code: SpanStatusCode.ERROR, message: typeof code === 'string' ? code : (err as Error)?.message });
  if (typeof code === 'string') span.setAttribute('relay.error_code', code);
}

/**
 * A PRODUCER span for one publish: `headers` get its context, so every consumer's span parents
 * from it. The span ends once the message is handed to the connection, or, for a publish that
 * returns a promise (a JetStream publish waiting for its PubAck), when that settles.
 */
export function tracePublish<T>(type: string, subject: string, headers: MsgHdrs, send: () => T): T {
  const span = tracer.startSpan(`${type} publish`, {
    kind: SpanKind.PRODUCER,
    attributes: { 'messaging.system': 'nats', 'messaging.operation.type': 'publish', 'messaging.destination.name': subject },
  });
  const parent = context.active();
  injectTraceHeaders(headers, trace.setSpan(parent, span));
  return runInSpan(span, parent, send);
}

/** A CLIENT span for one request, ended when its reply (or failure) is back. */
export async function traceRequest<T>(type: string, subject: string, headers: MsgHdrs, run: () => Promise<T>): Promise<T> {
  const span = tracer.startSpan(`${type} request`, {
    kind: SpanKind.CLIENT,
    attributes: { 'messaging.system': 'nats', 'messaging.operation.type': 'send', 'messaging.destination.name': subject, 'rpc.method': type },
  });
  injectTraceHeaders(headers, trace.setSpan(context.active(), span));
  try {
    return await run();
  } catch (err) {
    recordSpanError(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/**
 * A SERVER span for a served request (parent: the caller's span from the headers), or a CONSUMER
 * span for a consumed event. `run` executes inside it, so spans and logs of the handler join the
 * caller's trace; the span ends when `run` settles.
 */
export function traceHandling<T>(kind: 'serve' | 'receive', type: string, subject: string, headers: MsgHdrs | undefined, run: () => T): T {
  const parent = extractTraceHeaders(headers);
  const span = tracer.startSpan(
    `${type} ${kind}`,
    {
      kind: kind === 'serve' ? SpanKind.SERVER : SpanKind.CONSUMER,
      attributes: { 'messaging.system': 'nats', 'messaging.operation.type': kind === 'serve' ? 'process' : 'receive', 'messaging.destination.name': subject },
    },
    parent,
  );
  return runInSpan(span, parent, run);
}

/**
 * Runs `run` with `span` active (a child of `parent`) and ends the span when `run` returns or,
 * for a promise, settles; a throw or rejection marks the span failed and is passed on.
 */
export function runInSpan<T>(span: Span, parent: Context, run: () => T): T {
  let result: T;
  try {
    result = context.with(trace.setSpan(parent, span), run);
  } catch (err) {
    recordSpanError(span, err);
    span.end();
    throw err;
  }
  if (!(result instanceof Promise)) {
    span.end();
    return result;
  }
  return result.then(
    (value: unknown) => {
      span.end();
      return value;
    },
    (err: unknown) => {
      recordSpanError(span, err);
      span.end();
      throw err;
    },
  ) as T;
}
