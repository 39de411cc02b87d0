/**
 * The rules for chat message text that a schema cannot say, written once for every place that
 * checks them (the gateway refuses early, chat-service refuses for good): text of nothing but
 * white space is as empty as no text, and the limit counts code points (what users count: 4,000
 * `€` fit), not UTF-16 units.
 */
import { codePointLength } from './names';
import { TEXT_MAX_CODE_POINTS } from './schemas/chat';

export type TextCheck = { ok: true } | { ok: false; problem: 'empty' } | { ok: false; problem: 'too-long'; length: number; max: number };

/** True for text with no character but white space (or none at all). */
export function isBlank(text: string): boolean {
  return text.trim() === '';
}

/** Checks a message text against the rules; `maxChars` defaults to the contract's limit. */
export function checkMessageText(text: string, maxChars: number = TEXT_MAX_CODE_POINTS): TextCheck {
  if (isBlank(text)) return { ok: false, problem: 'empty' };
  // A string has at least as many UTF-16 units as code points: count only when it could be over.
  if (text.length > maxChars) {
    const length = codePointLength(text);
    if (length > maxChars) return { ok: false, problem: 'too-long', length, max: maxChars };
  }
  return { ok: true };
}
