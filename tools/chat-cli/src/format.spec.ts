import { formatFrame } from './format';

describe('chat-cli format', () => {
  it('format - messages read "[room] user: text" on stdout', () => {
    expect(formatFrame({ type: 'message', room: 'lobby', id: 'x', seq: 1, from: 'alice', text: 'hi', ts: 1 })).toEqual({ stream: 'out', text: '[lobby] alice: hi' });
  });

  it('format - member joins and leaves', () => {
    expect(formatFrame({ type: 'member', room: 'lobby', user: 'bob', event: 'join' })?.text).toBe('[lobby] * bob joined');
    expect(formatFrame({ type: 'member', room: 'lobby', user: 'bob', event: 'leave' })?.text).toBe('[lobby] * bob left');
  });

  it('format - notifications, with and without sender and room', () => {
    expect(formatFrame({ type: 'notification', id: 'n', kind: 'mention', from: 'bob', room: 'lobby', text: 'hi @alice', ts: 1 })?.text).toBe('! mention from bob in [lobby]: hi @alice');
    expect(formatFrame({ type: 'notification', id: 'n', kind: 'system', text: 'maintenance at 5', ts: 1 })?.text).toBe('! system: maintenance at 5');
  });

  it('format - errors and connection status go to stderr', () => {
    expect(formatFrame({ type: 'error', code: 'NOT_JOINED', message: 'join first' })).toEqual({ stream: 'err', text: 'error NOT_JOINED: join first' });
    expect(formatFrame({ type: 'welcome', user: 'alice', session: 's', gateway: 'gw-1' })).toEqual({ stream: 'err', text: 'connected to gw-1 as alice' });
  });

  it('format - presence lists users; acks and pongs print nothing', () => {
    expect(formatFrame({ type: 'presence', room: 'lobby', users: ['alice', 'bob'] })?.text).toBe('[lobby] here: alice, bob');
    expect(formatFrame({ type: 'presence', room: 'lobby', users: [] })?.text).toBe('[lobby] here: (nobody)');
    expect(formatFrame({ type: 'sent', room: 'lobby', id: 'x', seq: 1, ts: 1 })).toBeUndefined();
    expect(formatFrame({ type: 'pong' })).toBeUndefined();
  });
});
