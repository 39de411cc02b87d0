import { defineServiceErrors, type ServiceError } from '@relay/contracts';
import { SERVICE_NAME } from './config';

/**
 * The chat-service's error table: one stable CHAT_* code per failure, each mapped onto the
 * ContractError code that crosses NATS (which decides `retryable` and what the gateway tells
 * the client). README "Errors" lists the same codes; errors.spec.ts keeps the two in step.
 */
const chatErrors = defineServiceErrors(SERVICE_NAME, {
  CHAT_TEXT_EMPTY: { contract: 'BAD_REQUEST', message: 'text is empty or only whitespace' },
  CHAT_TEXT_TOO_LONG: { contract: 'BAD_REQUEST', message: 'text is longer than the limit' },
  CHAT_STORE_UNAVAILABLE: { contract: 'DEPENDENCY_DOWN', message: 'the message store is unavailable, retry' },
  CHAT_STORE_CORRUPT: { contract: 'INTERNAL', message: 'the message store returned data the service cannot read' },
});

export const CHAT_ERRORS = chatErrors.table;
export type ChatErrorCode = keyof typeof CHAT_ERRORS;
export type ChatError = ServiceError<ChatErrorCode>;
export const chatError = chatErrors.create;
export const isChatError = chatErrors.is;
