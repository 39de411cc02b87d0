import { defineServiceErrors, type ServiceError } from '@relay/contracts';
import { SERVICE_NAME } from './config';

/**
 * The presence-service's error table: one stable PRESENCE_* code per failure, each mapped onto
 * the ContractError code that crosses NATS (which decides `retryable`). docs/presence.md
 * "Errors" lists the same codes; errors.spec.ts keeps the two in step.
 */
const presenceErrors = defineServiceErrors(SERVICE_NAME, {
  PRESENCE_ROOM_REQUIRED: { contract: 'BAD_REQUEST', message: 'join and leave need a room' },
  PRESENCE_SNAPSHOT_DUPLICATE: { contract: 'BAD_REQUEST', message: 'a snapshot lists the same session twice' },
  PRESENCE_CHUNK_INVALID: { contract: 'BAD_REQUEST', message: 'a snapshot part does not fit its set' },
  PRESENCE_CURSOR_INVALID: { contract: 'BAD_REQUEST', message: 'the members cursor was not made by presence-service' },
  PRESENCE_STORE_UNAVAILABLE: { contract: 'DEPENDENCY_DOWN', message: 'the presence store is unavailable, retry' },
  PRESENCE_SCRIPT_FAILED: { contract: 'INTERNAL', message: 'a presence script failed inside Redis' },
  PRESENCE_STORE_CORRUPT: { contract: 'INTERNAL', message: 'the presence store returned data the service cannot read' },
  PRESENCE_MEMBERS_PAGE_TOO_LARGE: { contract: 'INTERNAL', message: 'the smallest scan of a room does not fit one reply' },
});

export const PRESENCE_ERRORS = presenceErrors.table;
export type PresenceErrorCode = keyof typeof PRESENCE_ERRORS;
export type PresenceError = ServiceError<PresenceErrorCode>;
export const presenceError = presenceErrors.create;
export const isPresenceError = presenceErrors.is;
