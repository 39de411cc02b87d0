/**
 * Mentions, as PROTOCOL.md defines them: `@` followed by a user id (`[A-Za-z0-9_-]{1,64}`),
 * at the start of the text or after a character that cannot be part of an id.
 *
 * - The id is the whole run of id characters after `@`: a run longer than 64 is not a user id,
 *   so it mentions nobody (taking its first 64 characters would notify a stranger).
 * - `a@bob` is not a mention (`a` could be part of an id: e-mail addresses stay quiet), while
 *   `(@bob)`, `hi @bob!`, `@bob,@carol`, `@@bob` and `é@bob` are: `(`, space, `,`, `@` and
 *   `é` cannot be part of an id.
 * - Ids are case-sensitive, like user ids everywhere else: `@Bob` and `@bob` are two users.
 */
const MENTION = /(?<![A-Za-z0-9_-])@([A-Za-z0-9_-]+)/g;
const ID_MAX_LENGTH = 64;

/** Distinct mentioned user ids, in order of first appearance. */
export function parseMentions(text: string): string[] {
  const seen = new Set<string>();
  for (const match of text.matchAll(MENTION)) {
    const id = match[1];
    if (id.length <= ID_MAX_LENGTH) seen.add(id);
  }
  return [...seen];
}
