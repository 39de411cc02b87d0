import type { LiveSnapshot } from './coordinator';
import { Histogram } from './histogram';
import { formatProgress, ProgressPrinter } from './progress';
import { emptyCounters } from './stats';

function snap(elapsedS: number, sent: number, received: number): LiveSnapshot {
  const interval = new Histogram();
  interval.record(2);
  interval.record(9);
  return { ...emptyCounters(), phase: 'send', elapsedS, users: 10, joined: 10, sent, acked: sent, received, expected: received, pendingAcks: 1, errors: 0, interval };
}

describe('progress', () => {
  it('progress - one line with counts, per-second rates and the latest latency', () => {
    const line = formatProgress(snap(3, 300, 3000), snap(2, 200, 2000));
    expect(line).toMatch(/\[ {3}3s\] send/);
    expect(line).toContain('joined 10/10');
    expect(line).toContain('sent 300 (100/s)');
    expect(line).toContain('recv 3000/3000 (1000/s)');
    expect(line).toMatch(/p50 2\.0 p99 9\.0 ms/);
    expect(line).not.toContain('\n');
  });

  it('progress - every second on a terminal; only every 10th second and phase changes otherwise', () => {
    const tty: string[] = [];
    const pipe: string[] = [];
    const onTty = new ProgressPrinter((l) => tty.push(l), true);
    const onPipe = new ProgressPrinter((l) => pipe.push(l), false);
    for (let i = 1; i <= 20; i++) {
      onTty.tick(snap(i, i, i), i === 1);
      onPipe.tick(snap(i, i, i), i === 1);
    }
    expect(tty).toHaveLength(20);
    expect(pipe).toHaveLength(3);
  });
});
