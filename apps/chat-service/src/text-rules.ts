import { codePointLength } from '@relay/contracts';
import { chatError } from './errors';

/**
 * Rules the schema cannot say: the limit counts code points (4,000 `€` fit; the schema only
 * bounds UTF-16 units), and text of nothing but whitespace is as empty as no text.
 */
export function checkText(text: string, maxChars: number): void {
  if (text.trim() === '') throw chatError('CHAT_TEXT_EMPTY');
  const length = codePointLength(text);
  if (length > maxChars) {
    throw chatError('CHAT_TEXT_TOO_LONG', `text is ${length} characters; the limit is ${maxChars}`);
  }
}
