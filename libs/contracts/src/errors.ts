/**
 * Errors that cross NATS. Every one carries a stable code, whether the caller may retry,
 * and the service that raised it, so a caller can rebuild it as a typed error.
 */
export const CONTRACT_ERRORS = {
  /** The payload did not match its schema (ours or the peer's). */
  BAD_REQUEST: { retryable: false, message: 'the request is invalid' },
  /** A subject parameter would have changed the subject (`.`, `*`, `>`, spaces...). */
  BAD_SUBJECT: { retryable: false, message: 'a subject parameter is invalid' },
  /** Nobody is subscribed to answer the request. */
  NO_RESPONDERS: { retryable: true, message: 'no service is answering' },
  /** The request got no answer in time. */
  TIMEOUT: { retryable: true, message: 'the service did not answer in time' },
  /** The circuit breaker around the target is open. */
  UNAVAILABLE: { retryable: true, message: 'the service is unavailable' },
  /** A reply that does not match its schema: a peer on another contract version. */
  BAD_REPLY: { retryable: false, message: 'the service answered with an invalid reply' },
  /** A handler failed for a reason of its own; the message says nothing secret. */
  INTERNAL: { retryable: false, message: 'internal error' },
  /** A dependency of the answering service (Redis, another service) is down. */
  DEPENDENCY_DOWN: { retryable: true, message: 'a dependency of the service is down' },
  /** The answer would not fit in one NATS message; the service should have paged it. */
  REPLY_TOO_LARGE: { retryable: false, message: 'the reply is too large for one message' },
  /** A domain rule refused the request (e.g. history limit out of range). */
  REJECTED: { retryable: false, message: 'the request was refused' },
} as const;

export type ContractErrorCode = keyof typeof CONTRACT_ERRORS;

export interface ContractErrorData {
  code: ContractErrorCode;
  message: string;
  retryable: boolean;
  service: string;
}

export class ContractError extends Error {
  override readonly name = 'ContractError';
  readonly code: ContractErrorCode;
  readonly retryable: boolean;
  readonly service: string;

  constructor(code: ContractErrorCode, message?: string, service = 'unknown', options?: { cause?: unknown }) {
    super(message ?? CONTRACT_ERRORS[code].message, options);
    this.code = code;
    this.retryable = CONTRACT_ERRORS[code].retryable;
    this.service = service;
  }

  toJSON(): ContractErrorData {
    return { code: this.code, message: this.message, retryable: this.retryable, service: this.service };
  }

  static fromData(data: ContractErrorData): ContractError {
    const code = data.code in CONTRACT_ERRORS ? data.code : 'INTERNAL';
    return new ContractError(code, data.message, data.service);
  }
}

export function isContractError(err: unknown): err is ContractError {
  return err instanceof ContractError;
}

/**
 * Errors a caller caused (bad input, a refused request) say nothing about the health of the
 * service that answered them, so they must not trip a circuit breaker.
 */
export function isClientError(err: unknown): boolean {
  return isContractError(err) && (err.code === 'BAD_REQUEST' || err.code === 'BAD_SUBJECT' || err.code === 'REJECTED');
}
