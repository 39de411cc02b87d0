import { closePaced, closesPerTick, drainTimings, MIN_CLOSES_PER_SEC } from './paced-close';

describe('paced close', () => {
  it('paced close - thousands of sockets are spread evenly over the window', () => {
    // 5,000 over 5 s = 1,000/s = 50 per 50 ms tick: 100 ticks.
    expect(closesPerTick(5000, 5000)).toBe(50);
  });

  it('paced close - a few sockets close at the minimum pace, not stretched over the window', () => {
    expect(closesPerTick(10, 5000)).toBe((MIN_CLOSES_PER_SEC * 50) / 1000);
    expect(closesPerTick(300, 0)).toBe(300);
  });

  it('paced close - the shutdown budget is split: spread, close grace, and a tenth left for NATS', () => {
    expect(drainTimings(10000, 50)).toEqual({ spreadMs: 5000, closeGraceMs: 2000 });
    expect(drainTimings(10000, 80)).toEqual({ spreadMs: 8000, closeGraceMs: 1000 });
    expect(drainTimings(10000, 0)).toEqual({ spreadMs: 0, closeGraceMs: 2000 });
  });

  it('paced close - closes every item once, in batches between sleeps', async () => {
    const closed: number[] = [];
    const batches: number[] = [];
    const items = Array.from({ length: 1000 }, (_, i) => i);
    let t = 0;
    const clock = { now: () => t, sleep: async (ms: number) => { batches.push(closed.length); t += ms; } };
    await closePaced(items, (i) => closed.push(i), 2000, clock);
    expect(closed).toEqual(items);
    // 1,000 over 2 s = 500/s = 25 per tick: 39 sleeps between 40 batches.
    expect(batches).toHaveLength(39);
    expect(batches[0]).toBe(25);
  });

  it('paced close - a stalled event loop is made up over the ticks left, not in one burst', async () => {
    let closed = 0;
    let before = 0;
    const batchSizes: number[] = [];
    let t = 0;
    const clock = {
      now: () => t,
      sleep: async (ms: number) => {
        batchSizes.push(closed - before);
        before = closed;
        // The first sleep overruns by a second (a busy loop); the rest are punctual.
        t += batchSizes.length === 1 ? 1000 : ms;
      },
    };
    await closePaced(Array.from({ length: 1000 }, (_, i) => i), () => closed++, 2000, clock);
    batchSizes.push(closed - before);
    expect(closed).toBe(1000);
    expect(batchSizes[0]).toBe(25);
    // 975 left over the 20 ticks left: about 49 each, never one burst.
    expect(batchSizes.length).toBe(21);
    expect(Math.max(...batchSizes)).toBeLessThanOrEqual(49);
  });
});
