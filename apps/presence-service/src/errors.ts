import { ContractError, type ContractErrorCode } from '@relay/contracts';

/**
 * The presence-service's error table: one stable PRESENCE_* code per failure, each mapped onto
 * the ContractError code that crosses NATS (which decides `retryable`). The PRESENCE_* code leads
 * the message so logs and callers can tell them apart. docs/presence.md "Errors" lists the same
 * codes; errors.spec.ts keeps the two in step.
 */
export const PRESENCE_ERRORS = {
  PRESENCE_ROOM_REQUIRED: { contract: 'BAD_REQUEST', message: 'join and leave need a room' },
  PRESENCE_SNAPSHOT_DUPLICATE: { contract: 'BAD_REQUEST', message: 'a snapshot lists the same session twice' },
  PRESENCE_STORE_UNAVAILABLE: { contract: 'DEPENDENCY_DOWN', message: 'the presence store is unavailable, retry' },
  PRESENCE_SCRIPT_FAILED: { contract: 'INTERNAL', message: 'a presence script failed inside Redis' },
  PRESENCE_STORE_CORRUPT: { contract: 'INTERNAL', message: 'the presence store returned data the service cannot read' },
} as const satisfies Record<string, { contract: ContractErrorCode; message: string }>;

export type PresenceErrorCode = keyof typeof PRESENCE_ERRORS;

export const PRESENCE_SERVICE = 'presence-service';

/** A ContractError that also knows its PRESENCE_* code (for metrics and logs). */
export class PresenceError extends ContractError {
  readonly presenceCode: PresenceErrorCode;

  constructor(presenceCode: PresenceErrorCode, detail?: string, options?: { cause?: unknown }) {
    const entry = PRESENCE_ERRORS[presenceCode];
    super(entry.contract, `${presenceCode}: ${detail ?? entry.message}`, PRESENCE_SERVICE, options);
    this.presenceCode = presenceCode;
  }
}

/** The one factory for the service's errors. */
export function presenceError(code: PresenceErrorCode, detail?: string, cause?: unknown): PresenceError {
  return new PresenceError(code, detail, cause === undefined ? undefined : { cause });
}

export function isPresenceError(err: unknown): err is PresenceError {
  return err instanceof PresenceError;
}
