import { parseArgs, type LoadtestOptions } from '../src/args';
import { runLoad } from '../src/coordinator';
import { buildReport, type LoadtestReport } from '../src/report';
import { FakeCluster, inProcessWorkers, type Faults } from './fake-gateway';

/** A short run of the real coordinator, workers and virtual users against a fake two-gateway cluster. */
async function run(faults: Faults): Promise<LoadtestReport> {
  const cluster = await new FakeCluster(faults).start(2);
  try {
    const parsed = parseArgs(['--gateways', cluster.urls.join(','), '--users', '12', '--rooms', '3', '--rate', '5', '--duration', '1', '--workers', '2', '--ramp', '0.2', '--drain', '1']);
    if (parsed.help) throw new Error('unexpected help');
    const options: LoadtestOptions = parsed.options;
    return buildReport(options, await runLoad(options, inProcessWorkers(), () => undefined));
  } finally {
    await cluster.close();
  }
}

describe('loadtest against a fake cluster', () => {
  it('loadtest - a faithful cluster passes: every acked message reaches every member once, in order', async () => {
    const r = await run({});
    expect(r.failures).toEqual([]);
    expect(r.pass).toBe(true);
    expect(r.connections).toMatchObject({ users: 12, connected: 12, joined: 12 });
    expect(r.messages.acked).toBeGreaterThanOrEqual(12 * 4);
    expect(r.messages.acked).toBe(r.messages.sent);
    // 3 rooms of 4 members: each acked message is expected 4 times.
    expect(r.messages.expectedDeliveries).toBe(r.messages.acked * 4);
    expect(r.messages.received).toBe(r.messages.expectedDeliveries);
    expect(r.latency.e2eMs.count).toBe(r.messages.received);
    expect(r.latency.ackMs.count).toBe(r.messages.acked);
  });

  it('loadtest - dropped deliveries are reported as loss and fail the run', async () => {
    const r = await run({ dropEvery: 7 });
    expect(r.pass).toBe(false);
    expect(r.messages.lost).toBeGreaterThan(0);
    expect(r.messages.received + r.messages.lost).toBe(r.messages.expectedDeliveries);
  });

  it('loadtest - repeated deliveries are counted as duplicates, refused sends by error code', async () => {
    const r = await run({ duplicateEvery: 5, refuseEvery: 9 });
    expect(r.pass).toBe(false);
    expect(r.messages.duplicates).toBeGreaterThan(0);
    expect(r.messages.lost).toBe(0);
    expect(r.messages.failed).toBeGreaterThan(0);
    expect(r.errors.SERVICE_UNAVAILABLE).toBe(r.messages.failed);
    expect(r.messages.acked + r.messages.failed).toBe(r.messages.sent);
  });

  it('loadtest - a refused upgrade counts as a failed connection by its HTTP status (HTTP_401)', async () => {
    const r = await run({ refuseUpgradeEvery: 4 });
    expect(r.pass).toBe(false);
    expect(r.connections.connectFailed).toBe(3);
    expect(r.errors.HTTP_401).toBe(3);
    expect(r.connections.joined).toBe(9);
    // Members that never connected are not expected to receive anything: no loss from them.
    expect(r.messages.lost).toBe(0);
  });
});
