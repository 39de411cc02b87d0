import { Type, type Static } from '@sinclair/typebox';

/**
 * Room names and user ids become NATS subject tokens, so they are restricted to characters
 * that cannot change a subject's meaning: no `.`, `*`, `>`, whitespace.
 */
export const SUBJECT_TOKEN_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
const SUBJECT_TOKEN = new RegExp(SUBJECT_TOKEN_PATTERN);

export const RoomName = Type.String({ pattern: SUBJECT_TOKEN_PATTERN, description: 'room name' });
export type RoomName = Static<typeof RoomName>;

/**
 * User ids come from identity providers (`auth0|5f3a9c`, `alice@example.com`), so they use a
 * wider alphabet than subject tokens: letters, digits and `_ - . @ | +`, 1 to 128 characters.
 * `{`, `}` (Redis hash tags), `:` (key separators), `*`, `>` and whitespace stay out. A user id
 * never enters a subject as is: subjectFor encodes it (encodeSubjectToken).
 */
export const USER_ID_PATTERN = '^[A-Za-z0-9_.@|+-]{1,128}$';
const USER_ID = new RegExp(USER_ID_PATTERN);

export const UserId = Type.String({ pattern: USER_ID_PATTERN, description: 'user id' });
export type UserId = Static<typeof UserId>;

export function isUserId(value: unknown): value is string {
  return typeof value === 'string' && USER_ID.test(value);
}

/** What an encoded token looks like: plain characters, and `_` with two upper-case hex digits. */
const ENCODED_TOKEN = /^(?:[A-Za-z0-9-]|_[0-9A-F]{2})+$/;
const PLAIN_CHAR = /^[A-Za-z0-9-]$/;

/** The UTF-8 bytes of one character as `_XX` escapes (encodeURIComponent: no Node or DOM types needed). */
function escapeChar(ch: string): string {
  let uri: string;
  try {
    uri = encodeURIComponent(ch);
  } catch (err) {
    // A lone surrogate has no UTF-8 form: it stands for U+FFFD, as a UTF-8 encoder would write it.
    if (err instanceof URIError) return '_EF_BF_BD';
    throw err;
  }
  // Characters encodeURIComponent leaves alone (`_ . ! ~ * ' ( )`) are single ASCII bytes.
  if (!uri.startsWith('%')) return `_${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
  return uri.replace(/%/g, '_');
}

/**
 * Maps any string into one NATS subject token, reversibly and injectively: letters, digits
 * and `-` stay as they are; every other UTF-8 byte (the escape `_` itself included) becomes
 * `_` and two upper-case hex digits. `auth0|5f3a9c` -> `auth0_7C5f3a9c`, `a.b` -> `a_2Eb`.
 * No input can produce `.`, `*`, `>` or whitespace, and two ids never share an encoding.
 */
export function encodeSubjectToken(value: string): string {
  let out = '';
  for (const ch of value) out += PLAIN_CHAR.test(ch) ? ch : escapeChar(ch);
  return out;
}

/** The inverse of encodeSubjectToken; undefined for a token it cannot have produced. */
export function decodeSubjectToken(token: string): string | undefined {
  if (!ENCODED_TOKEN.test(token)) return undefined;
  let value: string;
  try {
    value = decodeURIComponent(token.replace(/_/g, '%'));
  } catch (err) {
    // Escapes that are not UTF-8: no string encodes to them.
    if (err instanceof URIError) return undefined;
    throw err;
  }
  // Only the canonical form decodes: a token that re-encodes differently was not made by us.
  return encodeSubjectToken(value) === token ? value : undefined;
}

/** An opaque id made by us (ULID, session ids, gateway instance ids); also a safe subject token. */
export const OpaqueId = Type.String({ pattern: SUBJECT_TOKEN_PATTERN });

export function isSubjectToken(value: unknown): value is string {
  return typeof value === 'string' && SUBJECT_TOKEN.test(value);
}

/** Text length as users count it: Unicode code points, not UTF-16 units. */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is a single code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}
