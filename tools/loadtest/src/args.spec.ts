import { ArgsError, httpOrigin, parseArgs, parseGatewayUrl } from './args';

const GW = ['--gateways', 'ws://127.0.0.1:8080/ws,ws://localhost:8081'];
const now = new Date('2026-11-27T12:00:00.000Z');

function options(extra: string[]) {
  const parsed = parseArgs([...GW, ...extra], now);
  if (parsed.help) throw new Error('unexpected help');
  return parsed.options;
}

describe('args', () => {
  it('args - parses every option, in both --name value and --name=value forms', () => {
    const o = options(['--users', '20', '--rooms=4', '--rate', '2.5', '--duration', '3', '--workers', '2', '--ramp', '0.5', '--drain', '2', '--jwt-secret', 's', '--out', 'x/r.json', '--prefix', 'run_1', '--padding', '10', '--protocol', 'socketio', '--warmup', '1', '--in-flight', '8']);
    expect(o).toEqual({
      users: 20,
      rooms: 4,
      rate: 2.5,
      durationS: 3,
      gateways: ['ws://127.0.0.1:8080/ws', 'ws://127.0.0.1:8081/ws'],
      workers: 2,
      rampS: 0.5,
      drainS: 2,
      jwtSecret: 's',
      out: 'x/r.json',
      chart: 'x/r.svg',
      prefix: 'run_1',
      padding: 10,
      protocol: 'socketio',
      warmupS: 1,
      inFlight: 8,
    });
  });

  it('args - defaults to the 500-user challenge with a timestamped result file and a fresh prefix', () => {
    const o = options([]);
    expect(o).toMatchObject({ users: 500, rooms: 50, rate: 1, durationS: 60, workers: 1, rampS: 2, drainS: 5, padding: 0 });
    expect(o.out).toBe('test-output/loadtest-2026-11-27T12-00-00-000Z.json');
    expect(o.chart).toBe('test-output/loadtest-2026-11-27T12-00-00-000Z.svg');
    expect(o.prefix).toMatch(/^lt[a-z0-9]+$/);
    expect(options([]).prefix).not.toBe(o.prefix);
  });

  it('args - --help wins over everything else', () => {
    expect(parseArgs(['--users', 'x', '--help'])).toEqual({ help: true });
  });

  it.each([
    [[], /--gateways is required/],
    [[...GW, '--users', '0'], /--users must be between 1 and 100000, got 0/],
    [[...GW, '--users', '2.5'], /--users must be a whole number/],
    [[...GW, '--rate', 'fast'], /--rate must be a number, got "fast"/],
    [[...GW, '--rate', '-1'], /--rate must be between 0/],
    [[...GW, '--users', '3', '--rooms', '4'], /--rooms \(4\) cannot exceed --users \(3\)/],
    [[...GW, '--users', '3', '--rooms', '1', '--workers', '4'], /--workers \(4\) cannot exceed --users/],
    [[...GW, '--colour', 'red'], /unknown option --colour; known: --gateways/],
    [[...GW, '--users'], /--users needs a value/],
    [[...GW, '--users', '5', '--users', '6'], /--users is given twice/],
    [[...GW, 'stray'], /unexpected argument "stray"/],
    [[...GW, '--prefix', 'a.b'], /--prefix must match/],
    [['--gateways', 'ws://10.0.0.5:8080/ws'], /not on 127.0.0.1/],
    [['--gateways', 'http://127.0.0.1:8080/ws'], /must use ws:\/\//],
    [['--gateways', 'not a url'], /is not a URL/],
    [['--gateways', ','], /lists no URL/],
    [['--gateways', 'ws://127.0.0.1:1/ws', '--protocol', 'mqtt'], /--protocol must be one of relay, socketio/],
    [['--gateways', 'ws://127.0.0.1:1/ws', '--duration', '3', '--warmup', '3'], /--warmup \(3\) must be shorter than --duration/],
  ])('args - rejects %j with a clear message', (argv, message) => {
    expect(() => parseArgs(argv as string[], now)).toThrow(ArgsError);
    expect(() => parseArgs(argv as string[], now)).toThrow(message as RegExp);
  });

  it('args - gateway URLs are normalized to 127.0.0.1 with the /ws path, and give their HTTP origin', () => {
    expect(parseGatewayUrl('ws://localhost:9000')).toBe('ws://127.0.0.1:9000/ws');
    expect(parseGatewayUrl('ws://127.0.0.1:9000/custom')).toBe('ws://127.0.0.1:9000/custom');
    expect(httpOrigin('ws://127.0.0.1:9000/ws')).toBe('http://127.0.0.1:9000');
  });

  it('args - protocol, warm-up and in-flight default to the Relay protocol, no warm-up and the ramp', () => {
    const parsed = parseArgs(['--gateways', 'ws://127.0.0.1:1/ws'], now);
    expect(parsed.help ? undefined : parsed.options).toMatchObject({ protocol: 'relay', warmupS: 0, inFlight: 0 });
    const storm = parseArgs(['--gateways', 'ws://127.0.0.1:1/ws', '--protocol', 'socketio', '--warmup', '2', '--in-flight', '500'], now);
    expect(storm.help ? undefined : storm.options).toMatchObject({ protocol: 'socketio', warmupS: 2, inFlight: 500 });
  });
});
