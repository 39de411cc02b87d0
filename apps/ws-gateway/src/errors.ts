import { isContractError, type ClientErrorCode } from '@relay/contracts';
import { isOverloadedError } from '@relay/service-kit';

/**
 * The gateway's error table: one stable `GW_*` code per failure, the client code it maps to
 * (PROTOCOL "Error codes") and the message the client reads. Messages say nothing secret.
 * README "Errors" lists the same table; errors.spec.ts keeps the two in step.
 */
export const GATEWAY_ERRORS = {
  GW_NOT_JSON: { client: 'BAD_REQUEST', message: 'the frame is not JSON' },
  GW_NOT_OBJECT: { client: 'BAD_REQUEST', message: 'the frame must be a JSON object with a "type"' },
  GW_UNKNOWN_TYPE: { client: 'BAD_REQUEST', message: 'unknown frame type' },
  GW_INVALID_FRAME: { client: 'BAD_REQUEST', message: 'the frame has a missing or wrong field' },
  GW_TEXT_EMPTY: { client: 'BAD_REQUEST', message: 'text must not be empty or only white space' },
  GW_TEXT_TOO_LONG: { client: 'BAD_REQUEST', message: 'text is too long' },
  GW_TOO_MANY_ROOMS: { client: 'BAD_REQUEST', message: 'this connection has joined too many rooms' },
  GW_REJECTED: { client: 'BAD_REQUEST', message: 'the request was refused' },
  GW_NOT_JOINED: { client: 'NOT_JOINED', message: 'join the room first' },
  GW_RATE_LIMITED: { client: 'RATE_LIMITED', message: 'too many frames, slow down' },
  GW_FORBIDDEN: { client: 'FORBIDDEN', message: 'you may not do this in this room' },
  GW_TOKEN_OTHER_USER: { client: 'FORBIDDEN', message: 'the new token is for another user' },
  GW_TOKEN_INVALID: { client: 'UNAUTHORIZED', message: 'the new token is invalid; the connection keeps its current token' },
  GW_PERMISSIONS_UNAVAILABLE: { client: 'SERVICE_UNAVAILABLE', message: 'room permissions are temporarily unavailable, retry' },
  GW_SERVICE_UNAVAILABLE: { client: 'SERVICE_UNAVAILABLE', message: 'the service is temporarily unavailable, retry' },
  GW_OVERLOADED: { client: 'SERVICE_UNAVAILABLE', message: 'the service is at capacity, retry after retryAfterMs' },
  GW_INTERNAL: { client: 'INTERNAL', message: 'internal error' },
} as const satisfies Record<string, { client: ClientErrorCode; message: string }>;

export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly clientCode: ClientErrorCode;
  /** Set when the request was refused by admission control: when the client may try again. */
  retryAfterMs?: number;

  constructor(
    readonly code: GatewayErrorCode,
    message?: string,
    options?: { cause?: unknown },
  ) {
    super(message ?? GATEWAY_ERRORS[code].message, options);
    this.clientCode = GATEWAY_ERRORS[code].client;
  }
}

/** The one factory: every gateway error is made here. */
export function gatewayError(code: GatewayErrorCode, message?: string, cause?: unknown): GatewayError {
  return new GatewayError(code, message, cause === undefined ? undefined : { cause });
}

/**
 * A downstream failure as the client sees it (agreed mapping): caller mistakes are
 * BAD_REQUEST, a down or slow service is SERVICE_UNAVAILABLE, anything else INTERNAL.
 * `service` names the downstream in the message ("chat is temporarily unavailable, retry").
 */
export function fromDownstream(err: unknown, service: string): GatewayError {
  if (err instanceof GatewayError) return err;
  if (isOverloadedError(err)) {
    const refused = gatewayError('GW_OVERLOADED', `${service} is at capacity, retry after ${err.retryAfterMs} ms`, err);
    refused.retryAfterMs = err.retryAfterMs;
    return refused;
  }
  if (isContractError(err)) {
    switch (err.code) {
      case 'BAD_REQUEST':
      case 'BAD_SUBJECT':
      case 'REJECTED':
        return gatewayError('GW_REJECTED', err.message, err);
      case 'TIMEOUT':
      case 'NO_RESPONDERS':
      case 'UNAVAILABLE':
      case 'DEPENDENCY_DOWN':
        return gatewayError('GW_SERVICE_UNAVAILABLE', `${service} is temporarily unavailable, retry`, err);
      default:
        return gatewayError('GW_INTERNAL', undefined, err);
    }
  }
  return gatewayError('GW_INTERNAL', undefined, err);
}
