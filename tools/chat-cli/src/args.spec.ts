import { DEFAULT_URL, httpOriginOf, parseArgs, UsageError } from './args';
import { parseLine } from './commands';

describe('chat-cli args', () => {
  it('args - defaults: room lobby and the local gateway', () => {
    expect(parseArgs(['--user', 'alice'])).toEqual({ user: 'alice', room: 'lobby', url: DEFAULT_URL, help: false });
  });

  it('args - reads every flag, with a space or with =', () => {
    expect(parseArgs(['--user=bob', '--room', 'dev', '--url=ws://h:9/ws', '--token', 'T'])).toEqual({ user: 'bob', room: 'dev', url: 'ws://h:9/ws', token: 'T', help: false });
  });

  it('args - a token alone is enough (the user comes from it)', () => {
    expect(parseArgs(['--token', 'T']).user).toBeUndefined();
  });

  it.each([
    [[], /--user is required/],
    [['--user'], /--user needs a value/],
    [['--user', 'a.b'], /bad user "a.b"/],
    [['--user', 'a', '--room', 'x y'], /bad room/],
    [['--user', 'a', '--url', 'http://h/ws'], /ws:\/\/ or wss:\/\//],
    [['--user', 'a', '--url', 'nonsense'], /bad --url/],
    [['--user', 'a', '--verbose'], /unknown argument --verbose/],
  ])('args - rejects %j with a clear message', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });

  it('args - --help needs nothing else', () => {
    expect(parseArgs(['--help']).help).toBe(true);
  });

  it('args - dev tokens come from the gateway http origin', () => {
    expect(httpOriginOf('ws://127.0.0.1:8080/ws')).toBe('http://127.0.0.1:8080');
    expect(httpOriginOf('wss://chat.example/ws')).toBe('https://chat.example');
  });
});

describe('chat-cli commands', () => {
  it('commands - plain lines are sent, blank ones skipped, "//" escapes a slash', () => {
    expect(parseLine('hi @bob')).toEqual({ kind: 'send', text: 'hi @bob' });
    expect(parseLine('hi\r')).toEqual({ kind: 'send', text: 'hi' });
    expect(parseLine('   ')).toEqual({ kind: 'skip' });
    expect(parseLine('//etc/hosts')).toEqual({ kind: 'send', text: '/etc/hosts' });
  });

  it('commands - /join, /leave, /history, /who, /quit', () => {
    expect(parseLine('/join dev')).toEqual({ kind: 'join', room: 'dev' });
    expect(parseLine('/leave')).toEqual({ kind: 'leave', room: undefined });
    expect(parseLine('/leave dev')).toEqual({ kind: 'leave', room: 'dev' });
    expect(parseLine('/history')).toEqual({ kind: 'history', limit: 20 });
    expect(parseLine('/history 5')).toEqual({ kind: 'history', limit: 5 });
    expect(parseLine('/who')).toEqual({ kind: 'who' });
    expect(parseLine('/quit')).toEqual({ kind: 'quit' });
  });

  it('commands - bad commands explain themselves', () => {
    expect(parseLine('/join')).toMatchObject({ kind: 'invalid', message: expect.stringContaining('/join ROOM') });
    expect(parseLine('/join a.b')).toMatchObject({ kind: 'invalid' });
    expect(parseLine('/history 0')).toMatchObject({ kind: 'invalid', message: expect.stringContaining('1 to 100') });
    expect(parseLine('/dance')).toMatchObject({ kind: 'invalid', message: expect.stringContaining('unknown command /dance') });
  });
});
