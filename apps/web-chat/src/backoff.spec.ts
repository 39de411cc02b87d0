import { backoffDelay } from './backoff';

describe('backoff', () => {
  const opts = { baseMs: 100, maxMs: 1000 };

  it('backoff - grows exponentially between half and all of the ceiling', () => {
    expect(backoffDelay(0, opts, () => 0)).toBe(50);
    expect(backoffDelay(0, opts, () => 1)).toBe(100);
    expect(backoffDelay(2, opts, () => 0)).toBe(200);
    expect(backoffDelay(2, opts, () => 1)).toBe(400);
  });

  it('backoff - never exceeds the cap, even after many attempts', () => {
    for (const attempt of [4, 10, 50, 1000]) {
      expect(backoffDelay(attempt, opts, () => 1)).toBe(1000);
      expect(backoffDelay(attempt, opts, () => 0)).toBe(500);
    }
  });

  it('backoff - jitter spreads clients that dropped together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(3, opts)));
    expect(delays.size).toBeGreaterThan(10);
  });
});
