/**
 * Metrics and logs around every request a service serves and every event it consumes: the same
 * names and labels in every service, so one dashboard reads them all.
 */
import type { Counter, Histogram } from 'prom-client';
import { isContractError, ServiceError } from '@relay/contracts';
import type { MessageMeta } from '@relay/bus';
import type { Logger } from './logger';
import type { ServiceMetrics } from './metrics';

/** A request handler: validated data, the envelope's meta, and a logger bound to the request. */
export type RequestHandler<Q, R> = (data: Q, meta: MessageMeta, log: Logger) => Promise<R>;
/** An event handler, likewise. */
export type EventHandler<D> = (data: D, meta: MessageMeta, log: Logger) => void | Promise<void>;

export interface HandlerMetrics {
  /** outcome: `ok` or the ContractError code of the reply. */
  requests: Counter<'type' | 'outcome'>;
  requestSeconds: Histogram<'type' | 'outcome'>;
  /** By the service's stable code (CHAT_…, PRESENCE_…) or the ContractError code of an unexpected failure. */
  errors: Counter<'code'>;
  /** Events consumed, by type and outcome (`ok` or `failed`). */
  events: Counter<'type' | 'outcome'>;
}

/** `relay_chat` → relay_chat_requests_total, relay_chat_request_seconds, relay_chat_errors_total, relay_chat_events_total. */
export function createHandlerMetrics(metrics: ServiceMetrics, prefix: string): HandlerMetrics {
  return {
    requests: metrics.counter(`${prefix}_requests_total`, 'Requests served, by type and outcome', ['type', 'outcome']),
    requestSeconds: metrics.histogram(`${prefix}_request_seconds`, 'Duration of request handling, by type and outcome', ['type', 'outcome']),
    errors: metrics.counter(`${prefix}_errors_total`, 'Request errors by code', ['code']),
    events: metrics.counter(`${prefix}_events_total`, 'Events consumed, by type and outcome', ['type', 'outcome']),
  };
}

function errorCode(err: unknown): string {
  return isContractError(err) ? err.code : 'INTERNAL';
}

/**
 * Wraps a request handler: duration and outcome counted, failures logged with the correlation
 * id (a dependency failure as a warning, a refused request at debug; anything else is logged by
 * Bus.serve as INTERNAL). The error is rethrown for the Bus to answer with.
 */
export function instrumentRequest<Q, R>(
  type: string,
  handler: RequestHandler<Q, R>,
  deps: { metrics: HandlerMetrics; logger: Logger },
): (data: Q, meta: MessageMeta) => Promise<R> {
  const { metrics, logger } = deps;
  return async (data, meta) => {
    const started = performance.now();
    const log = logger.child({ correlationId: meta.correlationId, type });
    let outcome = 'ok';
    try {
      return await handler(data, meta, log);
    } catch (err) {
      outcome = errorCode(err);
      metrics.errors.inc({ code: err instanceof ServiceError ? err.serviceCode : outcome });
      if (isContractError(err) && err.retryable) log.warn({ err, cause: (err.cause as Error | undefined)?.message }, 'request failed: dependency');
      else if (isContractError(err)) log.debug({ err }, 'request refused');
      throw err;
    } finally {
      metrics.requests.inc({ type, outcome });
      metrics.requestSeconds.observe({ type, outcome }, (performance.now() - started) / 1000);
    }
  };
}

/** Wraps an event handler: counted by outcome; a failure is logged here and not rethrown. */
export function instrumentEvent<D>(
  type: string,
  handler: EventHandler<D>,
  deps: { metrics: HandlerMetrics; logger: Logger },
): (data: D, meta: MessageMeta) => Promise<void> {
  const { metrics, logger } = deps;
  return async (data, meta) => {
    const log = logger.child({ correlationId: meta.correlationId, type });
    try {
      await handler(data, meta, log);
      metrics.events.inc({ type, outcome: 'ok' });
    } catch (err) {
      metrics.events.inc({ type, outcome: 'failed' });
      log.error({ err, subject: meta.subject }, 'event handler failed');
    }
  };
}
