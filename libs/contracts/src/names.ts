import { Type, type Static } from '@sinclair/typebox';

/**
 * Room names and user ids become NATS subject tokens, so they are restricted to characters
 * that cannot change a subject's meaning: no `.`, `*`, `>`, whitespace.
 */
export const SUBJECT_TOKEN_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
const SUBJECT_TOKEN = new RegExp(SUBJECT_TOKEN_PATTERN);

export const RoomName = Type.String({ pattern: SUBJECT_TOKEN_PATTERN, description: 'room name' });
export type RoomName = Static<typeof RoomName>;

export const UserId = Type.String({ pattern: SUBJECT_TOKEN_PATTERN, description: 'user id' });
export type UserId = Static<typeof UserId>;

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
