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

/** What an encoded value looks like: only characters that cannot change a subject's meaning. */
const ENCODED_TOKEN = /^[A-Za-z0-9_-]+$/;
const PLAIN_CHAR = /[A-Za-z0-9-]/;
// TextEncoder/TextDecoder, not Buffer: the contracts also run in the browser.
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

/**
 * Maps any string into one NATS subject token, reversibly and injectively: letters, digits
 * and `-` stay as they are; every other UTF-8 byte (the escape `_` itself included) becomes
 * `_` and two upper-case hex digits. `auth0|5f3a9c` -> `auth0_7C5f3a9c`, `a.b` -> `a_2Eb`.
 * No input can produce `.`, `*`, `>` or whitespace, and two ids never share an encoding.
 */
export function encodeSubjectToken(value: string): string {
  let out = '';
  for (const ch of value) {
    if (PLAIN_CHAR.test(ch)) out += ch;
    else for (const byte of utf8.encode(ch)) out += `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The inverse of encodeSubjectToken; undefined for a token it cannot have produced. */
export function decodeSubjectToken(token: string): string | undefined {
  if (!ENCODED_TOKEN.test(token)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    const c = token[i];
    if (c !== '_') {
      bytes.push(c.charCodeAt(0));
      continue;
    }
    const hex = token.slice(i + 1, i + 3);
    if (!/^[0-9A-F]{2}$/.test(hex)) return undefined;
    bytes.push(parseInt(hex, 16));
    i += 2;
  }
  // Bytes that are not UTF-8 decode to U+FFFD, which re-encodes differently: refused below.
  const value = utf8Decoder.decode(new Uint8Array(bytes));
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
