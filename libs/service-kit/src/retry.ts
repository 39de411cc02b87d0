import { isContractError } from '@relay/contracts';

export interface RetryOptions {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Which failures to retry; by default every retryable ContractError but an open breaker. */
  isRetryable?: (err: unknown) => boolean;
}

const retryableByDefault = (err: unknown) => isContractError(err) && err.retryable && err.code !== 'UNAVAILABLE';

/**
 * Retries an idempotent call on retryable errors, with capped exponential backoff and jitter.
 * An open breaker (UNAVAILABLE) is not retried: it already knows the answer.
 */
export async function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions): Promise<T> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= opts.attempts; attempt++) {
    try {
      return await fn();
    } catch (err) {
      lastError = err;
      const retryable = (opts.isRetryable ?? retryableByDefault)(err);
      if (!retryable || attempt === opts.attempts) throw err;
      const delay = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** (attempt - 1));
      await new Promise((r) => setTimeout(r, delay / 2 + Math.random() * (delay / 2)));
    }
  }
  throw lastError;
}
