import CircuitBreaker from 'opossum';
import { ContractError, isClientError, isContractError } from '@relay/contracts';
import type { Logger } from './logger';
import type { ServiceMetrics } from './metrics';

export type BreakerState = 'closed' | 'open' | 'half-open';
const STATE_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

export interface BreakerOptions {
  /** The downstream target, e.g. `chat-service`; one breaker per target. */
  name: string;
  /** Each call fails with TIMEOUT after this long; the timeout lives inside the breaker. */
  timeoutMs: number;
  /** Percent (0-100) of failed calls in the rolling window that opens the breaker. */
  errorThresholdPercentage?: number;
  /** How long the breaker stays open before it lets one trial call through. */
  resetTimeoutMs?: number;
  /** Calls in the window before the percentage is considered at all. */
  volumeThreshold?: number;
  rollingCountTimeoutMs?: number;
}

/** A call that ran out of time, whether opossum's timer or the NATS request's own fired first. */
function isTimeout(err: unknown): boolean {
  return (err as { code?: string } | undefined)?.code === 'ETIMEDOUT' || (isContractError(err) && err.code === 'TIMEOUT');
}

export interface Breaker<A extends unknown[], R> {
  readonly name: string;
  /** Calls through the breaker; failures are ContractErrors (UNAVAILABLE while open, TIMEOUT on timeout). */
  call(...args: A): Promise<R>;
  state(): BreakerState;
  shutdown(): void;
}

/** All breakers of a process, for /readyz details and metrics. */
export class BreakerRegistry {
  private readonly breakers = new Map<string, Breaker<never[], unknown>>();

  add(b: Breaker<never[], unknown>): void {
    this.breakers.set(b.name, b);
  }

  states(): Record<string, BreakerState> {
    const out: Record<string, BreakerState> = {};
    for (const [name, b] of this.breakers) out[name] = b.state();
    return out;
  }

  shutdown(): void {
    for (const b of this.breakers.values()) b.shutdown();
  }
}

export interface BreakerDeps {
  logger: Logger;
  metrics?: ServiceMetrics;
  registry?: BreakerRegistry;
}

const stateGauges = new WeakMap<object, ReturnType<ServiceMetrics['gauge']>>();

/**
 * An opossum breaker around an async call. Client errors (bad input, a refused request) pass
 * through without counting as failures: they say nothing about the target's health.
 *
 * Busy is not down: a timed-out call counts as a failure only when the target answered nothing
 * since that call started. A healthy service that answers slowly under load (its other calls
 * complete while this one waited in its queue) must not be cut off: that turns overload into a
 * collapse. A dead or hung target answers nothing, so its timeouts still open the breaker.
 */
export function createBreaker<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  opts: BreakerOptions,
  deps: BreakerDeps,
): Breaker<A, R> {
  /** performance.now() of the target's latest answer (a result or a client error). */
  let lastAnswerAt = -Infinity;
  const timed = async (startedAt: number, ...args: A): Promise<R> => {
    void startedAt;
    try {
      const result = await fn(...args);
      lastAnswerAt = performance.now();
      return result;
    } catch (err) {
      if (isClientError(err)) lastAnswerAt = performance.now();
      throw err;
    }
  };
  const cb = new CircuitBreaker(timed, {
    name: opts.name,
    timeout: opts.timeoutMs,
    errorThresholdPercentage: opts.errorThresholdPercentage ?? 50,
    resetTimeout: opts.resetTimeoutMs ?? 5000,
    volumeThreshold: opts.volumeThreshold ?? 5,
    rollingCountTimeout: opts.rollingCountTimeoutMs ?? 10000,
    // opossum passes the call's arguments after the error: the first one is its start time.
    errorFilter: (err: unknown, ...call: unknown[]) => isClientError(err) || (isTimeout(err) && lastAnswerAt > (call[0] as number)),
    // Percentiles sort every latency of the window on each failure: 6-14 % of the gateway's
    // CPU in an overload, for figures nothing reads (latency histograms live in prom-client).
    rollingPercentilesEnabled: false,
  });

  let gauge: ReturnType<ServiceMetrics['gauge']> | undefined;
  if (deps.metrics) {
    gauge = stateGauges.get(deps.metrics.registry);
    if (!gauge) {
      gauge = deps.metrics.gauge('relay_breaker_state', 'Circuit breaker state: 0 closed, 1 half-open, 2 open', ['breaker']);
      stateGauges.set(deps.metrics.registry, gauge);
    }
  }
  const report = (state: BreakerState) => {
    gauge?.set({ breaker: opts.name }, STATE_VALUE[state]);
    deps.logger[state === 'closed' ? 'info' : 'warn']({ breaker: opts.name, state }, 'breaker state changed');
  };
  gauge?.set({ breaker: opts.name }, 0);
  cb.on('open', () => report('open'));
  cb.on('halfOpen', () => report('half-open'));
  cb.on('close', () => report('closed'));

  const breaker: Breaker<A, R> = {
    name: opts.name,
    async call(...args: A): Promise<R> {
      try {
        return await cb.fire(performance.now(), ...args);
      } catch (err) {
        throw toContractError(err, opts.name);
      }
    },
    state(): BreakerState {
      if (cb.opened) return 'open';
      if (cb.halfOpen) return 'half-open';
      return 'closed';
    },
    shutdown(): void {
      cb.shutdown();
    },
  };
  deps.registry?.add(breaker as unknown as Breaker<never[], unknown>);
  return breaker;
}

function toContractError(err: unknown, target: string): ContractError {
  if (isContractError(err)) return err;
  const code = (err as { code?: string }).code;
  if (code === 'EOPENBREAKER') return new ContractError('UNAVAILABLE', `${target} is unavailable (circuit open)`, target);
  if (code === 'ETIMEDOUT') return new ContractError('TIMEOUT', `${target} did not answer in time`, target);
  if (code === 'ESHUTDOWN') return new ContractError('UNAVAILABLE', `${target} breaker is shut down`, target);
  return new ContractError('INTERNAL', (err as Error)?.message ?? String(err), target, { cause: err });
}
