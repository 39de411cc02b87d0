/**
 * The one way a service calls another: per call a catalog request definition and a retry preset;
 * one opossum breaker per downstream service (the definition's queue group), with the timeout
 * inside it; retries around the breaker. The gateway and notification-service both use it.
 */
import type { ReplyData, RequestData, RequestDef } from '@relay/contracts';
import type { Bus } from '@relay/bus';
import { createBreaker, type Breaker, type BreakerDeps } from './breaker';
import { withRetry } from './retry';
import type { RetryPresets } from './retry-presets';

/** One call of a client: which request, and the name of its retry preset. */
export interface CallSpec<D extends RequestDef = RequestDef, P extends string = string> {
  def: D;
  retry: P;
}

export interface ServiceClientOptions {
  /** Each call fails with TIMEOUT after this long (the breaker's timeout). */
  timeoutMs: number;
  /**
   * The NATS request's own timeout; `timeoutMs` when absent. A little longer lets the breaker's
   * timeout decide, while NO_RESPONDERS still comes back at once.
   */
  requestTimeoutMs?: number;
  /** How long an open breaker waits before it lets a trial call through. */
  resetTimeoutMs: number;
  breaker: BreakerDeps;
}

type Call = () => Promise<unknown>;

export type ServiceClient<S extends Record<string, CallSpec>> = {
  readonly [K in keyof S]: (data: RequestData<S[K]['def']>, correlationId?: string) => Promise<ReplyData<S[K]['def']>>;
} & {
  /** The breakers by downstream service name (the definitions' queue groups). */
  readonly breakers: Readonly<Record<string, Breaker<[Call], unknown>>>;
};

/**
 * Builds the typed calls of `defs`. Example:
 * `createServiceClient(bus, { chatSend: { def: ChatSend, retry: 'fast' } }, RETRY_PRESETS, opts).chatSend(data, cid)`.
 */
export function createServiceClient<P extends RetryPresets, S extends Record<string, CallSpec<RequestDef, keyof P & string>>>(
  bus: Bus,
  defs: S,
  retryPresets: P,
  opts: ServiceClientOptions,
): ServiceClient<S> {
  const breakers: Record<string, Breaker<[Call], unknown>> = {};
  const breakerFor = (target: string) =>
    (breakers[target] ??= createBreaker((call: Call) => call(), { name: target, timeoutMs: opts.timeoutMs, resetTimeoutMs: opts.resetTimeoutMs }, opts.breaker));
  const requestTimeoutMs = opts.requestTimeoutMs ?? opts.timeoutMs;

  const calls: Record<string, (data: unknown, correlationId?: string) => Promise<unknown>> = {};
  for (const [name, spec] of Object.entries(defs)) {
    // Breakers are made at start-up, one per target, whether or not it is ever called.
    const breaker = breakerFor(spec.def.queue);
    const retry = retryPresets[spec.retry];
    const once = (data: unknown, correlationId?: string) =>
      breaker.call(() => bus.request(spec.def, data as never, { timeoutMs: requestTimeoutMs, correlationId }));
    calls[name] = retry ? (data, correlationId) => withRetry(() => once(data, correlationId), retry) : once;
  }
  return Object.assign(calls, { breakers }) as unknown as ServiceClient<S>;
}
