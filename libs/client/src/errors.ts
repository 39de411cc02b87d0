/**
 * Why a request or a connection attempt failed, as one error class with a stable `code`: the
 * server's error codes (PROTOCOL "Error codes") plus the ones the client itself raises.
 */
import type { ClientErrorCode } from '@relay/contracts';

/** Codes the server sends (the contracts' list: FORBIDDEN and UNAUTHORIZED included). */
export type ServerErrorCode = ClientErrorCode;

/**
 * Codes the client raises: TIMEOUT (no reply in time), DISCONNECTED (the socket dropped under a
 * request that cannot be resent, e.g. ping), CLOSED (the client was closed or aborted),
 * QUEUE_FULL (too many sends waiting while offline), CONNECT_FAILED (an attempt to open a socket
 * failed; `status` holds the HTTP status when the runtime reveals it), TOKEN (the token provider
 * threw).
 */
export type LocalErrorCode = 'TIMEOUT' | 'DISCONNECTED' | 'CLOSED' | 'QUEUE_FULL' | 'CONNECT_FAILED' | 'TOKEN';

export type RelayErrorCode = ServerErrorCode | LocalErrorCode;

export class RelayError extends Error {
  override name = 'RelayError';
  constructor(
    readonly code: RelayErrorCode,
    message: string,
    readonly details: { retryAfterMs?: number; status?: number; ref?: string; cause?: unknown } = {},
  ) {
    super(message);
  }

  /** Worth retrying later as is: the server was busy or down, or the connection went away. */
  get retryable(): boolean {
    return this.code === 'SERVICE_UNAVAILABLE' || this.code === 'RATE_LIMITED' || this.code === 'TIMEOUT' || this.code === 'DISCONNECTED';
  }
}
