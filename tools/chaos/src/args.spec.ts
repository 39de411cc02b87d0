import { ArgsError, parseArgs } from './args';

describe('chaos args', () => {
  it('chaos args - defaults are the modest full run', () => {
    const r = parseArgs([]);
    expect(r.help).toBe(false);
    if (r.help) return;
    expect(r.options).toMatchObject({ users: 60, rooms: 10, roomRate: 2, quick: false, natsCluster: 0, deadlineS: 600 });
  });

  it('chaos args - --quick shortens the run and flags override it', () => {
    const r = parseArgs(['--quick', '--users', '8', '--rooms', '2', '--nats-cluster', '3', '--only', 'kill-ws-gateway,restart-redis']);
    if (r.help) throw new Error('unexpected help');
    expect(r.options).toMatchObject({ quick: true, users: 8, rooms: 2, natsCluster: 3, deadlineS: 240, only: ['kill-ws-gateway', 'restart-redis'] });
  });

  it('chaos args - bad input is a clear error', () => {
    expect(() => parseArgs(['--users', 'many'])).toThrow(new ArgsError('--users needs a number from 2 to 5000, got many'));
    expect(() => parseArgs(['--nats-cluster', '2'])).toThrow(/takes 3/);
    expect(() => parseArgs(['--users', '5', '--rooms', '4'])).toThrow(/fewer than two per room/);
    expect(() => parseArgs(['--bogus'])).toThrow(/unknown option --bogus/);
  });
});
