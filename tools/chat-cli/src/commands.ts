/** What one stdin line asks for. */
export type Command =
  | { kind: 'send'; text: string }
  | { kind: 'join'; room: string }
  | { kind: 'leave'; room?: string }
  | { kind: 'history'; limit: number }
  | { kind: 'who' }
  | { kind: 'quit' }
  | { kind: 'skip' }
  | { kind: 'invalid'; message: string };

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

export function parseLine(line: string): Command {
  const trimmed = line.replace(/\r$/, '');
  if (trimmed.trim() === '') return { kind: 'skip' };
  // "//text" sends a line that starts with a slash.
  if (trimmed.startsWith('//')) return { kind: 'send', text: trimmed.slice(1) };
  if (!trimmed.startsWith('/')) return { kind: 'send', text: trimmed };
  const [cmd, ...rest] = trimmed.trim().split(/\s+/);
  const arg = rest[0];
  switch (cmd) {
    case '/join':
      if (!arg || !NAME.test(arg)) return { kind: 'invalid', message: 'usage: /join ROOM (letters, digits, "_" and "-")' };
      return { kind: 'join', room: arg };
    case '/leave':
      if (arg !== undefined && !NAME.test(arg)) return { kind: 'invalid', message: 'usage: /leave [ROOM]' };
      return { kind: 'leave', room: arg };
    case '/history': {
      const limit = arg === undefined ? 20 : Number(arg);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) return { kind: 'invalid', message: 'usage: /history [N], N from 1 to 100' };
      return { kind: 'history', limit };
    }
    case '/who':
      return { kind: 'who' };
    case '/quit':
    case '/exit':
      return { kind: 'quit' };
    default:
      return { kind: 'invalid', message: `unknown command ${cmd} (try /join, /leave, /history, /who, /quit; "//" sends a leading slash)` };
  }
}
