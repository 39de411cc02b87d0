import { Histogram } from './histogram';

/** Exact nearest-rank percentile of a sorted array, the reference the histogram must match within 1 %. */
function exact(sorted: number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** A deterministic pseudo-random sequence so a failure can be reproduced. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) % 4294967296;
    return s / 4294967296;
  };
}

describe('histogram', () => {
  it('histogram - percentiles are within 1 % of the exact sorted-array values over a wide range', () => {
    const rand = lcg(42);
    const h = new Histogram();
    const values: number[] = [];
    for (let i = 0; i < 20000; i++) {
      // Log-uniform from 10 µs to 10 s, like real latencies with a long tail.
      const v = 10 ** (rand() * 6 - 2);
      values.push(v);
      h.record(v);
    }
    values.sort((a, b) => a - b);
    for (const p of [1, 10, 50, 90, 95, 99, 99.9]) {
      const want = exact(values, p);
      expect(Math.abs(h.percentile(p) - want) / want).toBeLessThanOrEqual(0.0101);
    }
    expect(h.percentile(100)).toBe(values[values.length - 1]);
    expect(h.min).toBe(values[0]);
    expect(h.count).toBe(20000);
  });

  it('histogram - small exact cases: one value, identical values, p0 and p100', () => {
    const one = new Histogram();
    one.record(7.5);
    expect([one.percentile(0), one.percentile(50), one.percentile(100)]).toEqual([7.5, 7.5, 7.5]);
    const same = new Histogram();
    for (let i = 0; i < 100; i++) same.record(3);
    expect(same.percentile(99)).toBe(3);
    const steps = new Histogram();
    for (let i = 1; i <= 100; i++) steps.record(i);
    // Reported values are bucket upper edges: at or above the true value, by at most 1 %.
    for (const p of [50, 99]) {
      expect(steps.percentile(p)).toBeGreaterThanOrEqual(p);
      expect(steps.percentile(p)).toBeLessThanOrEqual(p * 1.01);
    }
    expect(steps.percentile(100)).toBe(100);
    expect(steps.summary()).toMatchObject({ count: 100, min: 1, max: 100, mean: 50.5 });
  });

  it('histogram - empty summary is all zeros; negatives count as 0 and non-finite values are ignored', () => {
    expect(new Histogram().summary()).toEqual({ count: 0, min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 });
    const h = new Histogram();
    h.record(-2);
    h.record(Number.NaN);
    h.record(Infinity);
    expect(h.count).toBe(1);
    expect(h.percentile(50)).toBe(0);
  });

  it('histogram - merging serialized parts equals recording everything in one', () => {
    const rand = lcg(7);
    const whole = new Histogram();
    const parts = [new Histogram(), new Histogram(), new Histogram()];
    for (let i = 0; i < 3000; i++) {
      const v = rand() * 200;
      whole.record(v);
      parts[i % 3].record(v);
    }
    const merged = new Histogram();
    for (const p of parts) merged.merge(JSON.parse(JSON.stringify(p.toJSON())));
    expect(merged.summary()).toEqual(whole.summary());
    expect(Histogram.from(whole.toJSON()).summary()).toEqual(whole.summary());
    expect(merged.merge(new Histogram()).summary()).toEqual(whole.summary());
  });
});
