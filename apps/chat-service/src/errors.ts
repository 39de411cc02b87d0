import { ContractError, type ContractErrorCode } from '@relay/contracts';

/**
 * The chat-service's error table: one stable CHAT_* code per failure, each mapped onto the
 * ContractError code that crosses NATS (which decides `retryable` and what the gateway tells
 * the client). The CHAT_* code leads the message so logs and callers can tell them apart.
 * README "Errors" lists the same codes; errors.spec.ts keeps the two in step.
 */
export const CHAT_ERRORS = {
  CHAT_TEXT_EMPTY: { contract: 'BAD_REQUEST', message: 'text is empty or only whitespace' },
  CHAT_TEXT_TOO_LONG: { contract: 'BAD_REQUEST', message: 'text is longer than the limit' },
  CHAT_STORE_UNAVAILABLE: { contract: 'DEPENDENCY_DOWN', message: 'the message store is unavailable, retry' },
  CHAT_STORE_CORRUPT: { contract: 'INTERNAL', message: 'the message store returned data the service cannot read' },
} as const satisfies Record<string, { contract: ContractErrorCode; message: string }>;

export type ChatErrorCode = keyof typeof CHAT_ERRORS;

export const CHAT_SERVICE = 'chat-service';

/** A ContractError that also knows its CHAT_* code (for metrics and logs). */
export class ChatError extends ContractError {
  readonly chatCode: ChatErrorCode;

  constructor(chatCode: ChatErrorCode, detail?: string, options?: { cause?: unknown }) {
    const entry = CHAT_ERRORS[chatCode];
    super(entry.contract, `${chatCode}: ${detail ?? entry.message}`, CHAT_SERVICE, options);
    this.chatCode = chatCode;
  }
}

/** The one factory for the service's errors. */
export function chatError(code: ChatErrorCode, detail?: string, cause?: unknown): ChatError {
  return new ChatError(code, detail, cause === undefined ? undefined : { cause });
}

export function isChatError(err: unknown): err is ChatError {
  return err instanceof ChatError;
}
