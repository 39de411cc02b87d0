import type { ChatMessage } from '@relay/contracts';

/**
 * Lists of messages must fit in one NATS reply (max_payload): 100 messages of 4,000 emoji
 * are 1.6 MB, more than the default 1 MiB. These cut a list to a byte budget.
 */
function encodedSize(m: ChatMessage): number {
  // +1 for the comma between array items.
  return Buffer.byteLength(JSON.stringify(m)) + 1;
}

/** The newest messages (the end of an ascending list) that fit: a history page. */
export function newestWithin(messages: ChatMessage[], budgetBytes: number): ChatMessage[] {
  let used = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    used += encodedSize(messages[i]);
    // At least one message, so a page is never empty while older ones exist (one message is
    // far below max_payload; if it ever were not, the reply fails as REPLY_TOO_LARGE).
    if (used > budgetBytes && i < messages.length - 1) return messages.slice(i + 1);
  }
  return messages;
}

/** The oldest messages (the start of an ascending list) that fit: the first part of a replay. */
export function oldestWithin(messages: ChatMessage[], budgetBytes: number): ChatMessage[] {
  let used = 0;
  for (let i = 0; i < messages.length; i++) {
    used += encodedSize(messages[i]);
    // At least one message, so a part that says `more` always moves the replay forward.
    if (used > budgetBytes && i > 0) return messages.slice(0, i);
  }
  return messages;
}
