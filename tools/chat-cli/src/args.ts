/** Command-line options of `npm run chat`. */
export interface CliOptions {
  user?: string;
  room: string;
  url: string;
  token?: string;
  help: boolean;
}

export const DEFAULT_URL = 'ws://127.0.0.1:8080/ws';
const NAME = /^[A-Za-z0-9_-]{1,64}$/;

export const USAGE = `usage: npm run chat -- --user NAME [--room ROOM] [--url ws://HOST:PORT/ws] [--token JWT]

  --user NAME   who you are (a dev token is fetched from the gateway when --token is not given)
  --room ROOM   the room to join first (default lobby)
  --url URL     the gateway WebSocket URL (default ${DEFAULT_URL})
  --token JWT   use this token instead of asking the gateway for a dev token

Each stdin line is sent to the current room. Commands:
  /join ROOM    join a room and make it current      /leave [ROOM]  leave a room (default current)
  /history [N]  show the last N messages (default 20) /who          who is in the current room
  /quit         leave and exit
Chat goes to stdout; status and errors go to stderr. When stdin ends, the client waits for
every pending send to be acknowledged and exits 0 (1 when something failed).`;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses argv (without node and the script). `--flag value` and `--flag=value` both work. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const opts: CliOptions = { room: 'lobby', url: DEFAULT_URL, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      opts.help = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!['--user', '--room', '--url', '--token'].includes(flag)) throw new UsageError(`unknown argument ${arg}`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new UsageError(`${flag} needs a value`);
    opts[flag.slice(2) as 'user' | 'room' | 'url' | 'token'] = value;
  }
  if (opts.help) return opts;
  if (!opts.user && !opts.token) throw new UsageError('--user is required (or --token)');
  if (opts.user !== undefined && !NAME.test(opts.user)) throw new UsageError(`bad user "${opts.user}": letters, digits, "_" and "-" (1 to 64)`);
  if (!NAME.test(opts.room)) throw new UsageError(`bad room "${opts.room}": letters, digits, "_" and "-" (1 to 64)`);
  let url: URL;
  try {
    url = new URL(opts.url);
  } catch {
    throw new UsageError(`bad --url "${opts.url}": expected ws://HOST:PORT/ws`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new UsageError(`bad --url "${opts.url}": expected ws:// or wss://`);
  return opts;
}

/** ws://host:port/ws -> http://host:port, where POST /auth/dev-token answers. */
export function httpOriginOf(wsUrl: string): string {
  const u = new URL(wsUrl);
  return `${u.protocol === 'wss:' ? 'https:' : 'http:'}//${u.host}`;
}
