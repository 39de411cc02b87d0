/**
 * The retry policies of calls between services, in one place. A call names its preset; the
 * service client applies it around the breaker.
 */
import { isContractError } from '@relay/contracts';
import type { RetryOptions } from './retry';

/** A table of named retry policies; `undefined` means the call is not retried. */
export type RetryPresets = Readonly<Record<string, RetryOptions | undefined>>;

export const RETRY_PRESETS = {
  /** Not idempotent, or its failure has a fallback already: never retried. */
  none: undefined,
  /**
   * Client-facing calls: only failures answered at once (nobody subscribed yet, a dependency
   * blip) are retried, quickly. A timeout has spent the caller's budget and an open breaker
   * already knows the answer, so neither is retried.
   */
  fast: {
    attempts: 3,
    baseDelayMs: 20,
    maxDelayMs: 40,
    isRetryable: (err: unknown) => isContractError(err) && (err.code === 'NO_RESPONDERS' || err.code === 'DEPENDENCY_DOWN'),
  },
  /** Idempotent background calls (presence updates by `v`, acks by id, work keyed by an id): backoff up to 1 s. */
  idempotent: { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000 },
} as const satisfies RetryPresets;

export type RetryPresetName = keyof typeof RETRY_PRESETS;
