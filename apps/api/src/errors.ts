/**
 * How a failed call to a service becomes an HTTP answer: the contract error's code decides the
 * status; a retryable one is 503 with Retry-After. The message says nothing secret.
 */
import { isContractError } from '@relay/contracts';

export interface HttpFailure {
  status: number;
  body: { error: string; message: string };
  retryAfterS?: number;
}

const CLIENT_CODES = new Set(['BAD_REQUEST', 'BAD_SUBJECT', 'REJECTED']);

export function httpFailure(err: unknown): HttpFailure {
  if (isContractError(err)) {
    if (CLIENT_CODES.has(err.code)) return { status: 400, body: { error: 'BAD_REQUEST', message: err.message } };
    if (err.retryable) return { status: 503, body: { error: 'SERVICE_UNAVAILABLE', message: `${err.service} is unavailable, retry` }, retryAfterS: 1 };
  }
  return { status: 500, body: { error: 'INTERNAL', message: 'internal error' } };
}
