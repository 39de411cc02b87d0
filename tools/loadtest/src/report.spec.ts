import { fixtureOptions, fixtureOutcome } from '../test/fixtures';
import { buildReport, summaryText } from './report';

describe('report', () => {
  it('report - merges the workers: counts, exact deliveries, throughput, latency and a timeline per second', () => {
    const r = buildReport(fixtureOptions(), fixtureOutcome());
    expect(r.pass).toBe(true);
    expect(r.failures).toEqual([]);
    expect(r.messages).toEqual({
      sent: 8,
      acked: 8,
      failed: 0,
      unacked: 0,
      expectedDeliveries: 32,
      received: 32,
      lost: 0,
      duplicates: 0,
      outOfOrder: 0,
      unconfirmed: 0,
      roomsWithLoss: [],
    });
    expect(r.connections).toMatchObject({ users: 4, joined: 4 });
    expect(r.throughput).toEqual({ sentPerS: 4, ackedPerS: 4, deliveriesPerS: 16 });
    expect(r.latency.e2eMs).toMatchObject({ count: 32, min: 2, max: 6 });
    expect(r.latency.ackMs).toMatchObject({ count: 8, p50: 2 });
    expect(r.timeline.map((t) => [t.second, t.sent, t.delivered])).toEqual([
      [0, 4, 16],
      [1, 4, 16],
    ]);
    expect(r.options).not.toHaveProperty('jwtSecret');
    expect(r.distribution[0]).toEqual({ percentile: 0, ms: 2 });
    expect(summaryText(r)).toMatch(/^PASS/);
  });

  it('report - a lost delivery, a duplicate and an error each fail the run and are named', () => {
    const r = buildReport(
      fixtureOptions(),
      fixtureOutcome((stats) => {
        stats[0].ledger.record('u0', 'u1', 1, 1); // a second copy of a message u0 already had
        stats[0].counters.duplicates++;
        stats[1].error('SERVICE_UNAVAILABLE');
        stats[1].sent(0);
        stats[1].acked('u1', 3, 1); // acked but delivered to nobody: 4 lost
      }),
    );
    expect(r.pass).toBe(false);
    expect(r.messages).toMatchObject({ expectedDeliveries: 36, received: 32, lost: 4, duplicates: 1, roomsWithLoss: ['r'] });
    expect(r.errors).toEqual({ SERVICE_UNAVAILABLE: 1 });
    expect(r.failures.join('\n')).toMatch(/4 of 36 expected deliveries lost/);
    expect(r.failures.join('\n')).toMatch(/1 duplicate deliveries/);
    expect(summaryText(r)).toMatch(/^FAIL[\s\S]*errors {7}SERVICE_UNAVAILABLE 1/);
  });
});
