/**
 * Admission control for calls to a downstream service: at most `maxInFlight` calls are out at
 * once; a call beyond that is refused at once (the newest excess is shed) with an
 * OverloadedError that carries `retryAfterMs`, instead of queueing until it times out.
 *
 * Why: a busy service answers slower; unbounded callers pile requests up in front of it until
 * they time out, the timeouts trip the breaker and goodput collapses (a metastable failure).
 * Bounding what is in flight keeps the service's queue short, so what is admitted is answered
 * well within its timeout, and what is refused is told clearly and early when to come back.
 * Breakers stay for failures (a dead or erroring service), not for load.
 */
import type { ServiceMetrics } from './metrics';

export interface AdmissionOptions {
  /** The downstream target, e.g. `chat-service`; one limiter per target. */
  name: string;
  /** Calls in flight at most; more are refused at once. */
  maxInFlight: number;
  /** The hint given to a refused caller: try again after this many milliseconds (jittered up to +50 %). */
  retryAfterMs: number;
}

/** A call refused because the downstream already has `maxInFlight` calls from this process. */
export class OverloadedError extends Error {
  override readonly name = 'OverloadedError';
  readonly code = 'OVERLOADED';

  constructor(
    readonly target: string,
    readonly retryAfterMs: number,
  ) {
    super(`${target} is at capacity, retry after ${retryAfterMs} ms`);
  }
}

export function isOverloadedError(err: unknown): err is OverloadedError {
  return err instanceof OverloadedError;
}

const gauges = new WeakMap<object, { inFlight: ReturnType<ServiceMetrics['gauge']>; shed: ReturnType<ServiceMetrics['counter']> }>();

export class AdmissionLimiter {
  private inFlightNow = 0;
  private readonly instruments?: { inFlight: ReturnType<ServiceMetrics['gauge']>; shed: ReturnType<ServiceMetrics['counter']> };

  constructor(
    private readonly opts: AdmissionOptions,
    metrics?: ServiceMetrics,
  ) {
    if (!Number.isInteger(opts.maxInFlight) || opts.maxInFlight < 1) throw new RangeError(`admission ${opts.name}: maxInFlight must be a whole number >= 1, got ${opts.maxInFlight}`);
    if (metrics) {
      let m = gauges.get(metrics.registry);
      if (!m) {
        m = {
          inFlight: metrics.gauge('relay_admission_in_flight', 'Calls in flight to a downstream, bounded by admission control', ['target']),
          shed: metrics.counter('relay_admission_shed_total', 'Calls refused by admission control because the downstream was at capacity', ['target']),
        };
        gauges.set(metrics.registry, m);
      }
      this.instruments = m;
      m.inFlight.set({ target: opts.name }, 0);
    }
  }

  get name(): string {
    return this.opts.name;
  }

  get inFlight(): number {
    return this.inFlightNow;
  }

  /** Runs `call` when there is room, else rejects at once with OverloadedError (nothing is queued). */
  run<T>(call: () => Promise<T>): Promise<T> {
    if (this.inFlightNow >= this.opts.maxInFlight) {
      this.instruments?.shed.inc({ target: this.opts.name });
      const hint = Math.round(this.opts.retryAfterMs * (1 + Math.random() / 2));
      return Promise.reject(new OverloadedError(this.opts.name, hint));
    }
    this.inFlightNow++;
    this.instruments?.inFlight.set({ target: this.opts.name }, this.inFlightNow);
    let result: Promise<T>;
    try {
      result = call();
    } catch (err) {
      result = Promise.reject(err);
    }
    return result.finally(() => {
      this.inFlightNow--;
      this.instruments?.inFlight.set({ target: this.opts.name }, this.inFlightNow);
    });
  }
}
