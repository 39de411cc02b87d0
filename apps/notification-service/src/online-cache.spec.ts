import { OnlineCache } from './online-cache';
import { RecentIds } from '@relay/service-kit';

/** A clock the test moves by hand. */
function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('online cache', () => {
  it('online cache - holds at most maxUsers, dropping the least recently used first', () => {
    const c = clock();
    const cache = new OnlineCache({ maxUsers: 3, ttlMs: 60_000, now: c.now });
    for (const u of ['a', 'b', 'c']) cache.applyEvent(u, true, c.now());
    expect(cache.get('a')).toBe(true); // a is now the most recently used
    cache.applyEvent('d', true, c.now());
    cache.applyAnswer('e', false, c.now());
    expect(cache.size).toBe(3);
    expect(['a', 'b', 'c', 'd', 'e'].map((u) => cache.get(u))).toEqual([true, undefined, undefined, true, false]);
  });

  it('online cache - stays bounded under many more users than it may hold', () => {
    const c = clock();
    const cache = new OnlineCache({ maxUsers: 100, ttlMs: 60_000, now: c.now });
    for (let i = 0; i < 10_000; i++) cache.applyEvent(`u${i}`, i % 2 === 0, c.now());
    expect(cache.size).toBe(100);
    expect(cache.get('u9999')).toBe(false);
    expect(cache.get('u0')).toBeUndefined();
  });

  it('online cache - an entry is believed for ttlMs, then unknown', () => {
    const c = clock();
    const cache = new OnlineCache({ maxUsers: 10, ttlMs: 1000, now: c.now });
    cache.applyEvent('a', true, c.now());
    cache.applyAnswer('b', true, c.now());
    c.advance(999);
    expect([cache.get('a'), cache.get('b')]).toEqual([true, true]);
    c.advance(1);
    expect([cache.get('a'), cache.get('b')]).toEqual([undefined, undefined]);
  });

  it('online cache - the latest event time wins whatever the arrival order; offline wins a tie', () => {
    const c = clock();
    const cache = new OnlineCache({ maxUsers: 10, ttlMs: 60_000, now: c.now });
    const t = c.now();
    expect(cache.applyEvent('a', false, t)).toBe('applied');
    expect(cache.applyEvent('a', true, t - 5)).toBe('stale');
    expect(cache.get('a')).toBe(false);
    expect(cache.applyEvent('a', true, t)).toBe('stale');
    expect(cache.get('a')).toBe(false);
    expect(cache.applyEvent('a', true, t + 1)).toBe('applied');
    expect(cache.applyEvent('a', false, t + 1)).toBe('applied');
    expect(cache.get('a')).toBe(false);
  });

  it('online cache - an event older than the freshness bound is not believed', () => {
    const c = clock();
    const cache = new OnlineCache({ maxUsers: 10, ttlMs: 1000, now: c.now });
    expect(cache.applyEvent('a', true, c.now() - 1000)).toBe('stale');
    expect(cache.get('a')).toBeUndefined();
  });

  it('online cache - a presence answer keeps the event time, so an older event arriving later still loses', () => {
    const c = clock();
    const cache = new OnlineCache({ maxUsers: 10, ttlMs: 1000, now: c.now });
    const t = c.now();
    cache.applyEvent('a', false, t);
    c.advance(1000); // expired: the next lookup asks presence
    expect(cache.get('a')).toBeUndefined();
    cache.applyAnswer('a', false, c.now());
    expect(cache.applyEvent('a', true, t - 1)).toBe('stale');
    expect(cache.get('a')).toBe(false);
    // A newer event replaces the answer.
    expect(cache.applyEvent('a', true, c.now())).toBe('applied');
    expect(cache.get('a')).toBe(true);
  });

  it('online cache - an event applied while presence was being asked beats the answer', () => {
    const c = clock();
    const cache = new OnlineCache({ maxUsers: 10, ttlMs: 60_000, now: c.now });
    const askedAt = c.now();
    c.advance(5);
    cache.applyEvent('a', false, c.now());
    c.advance(5);
    cache.applyAnswer('a', true, askedAt);
    expect(cache.get('a')).toBe(false);
    // An answer to a request sent after the event replaces it.
    cache.applyAnswer('a', true, c.now());
    expect(cache.get('a')).toBe(true);
  });
});

describe('recent ids', () => {
  it('recent ids - a repeated id is not first seen', () => {
    const ids = new RecentIds({ maxIds: 10, windowMs: 60_000 });
    expect(ids.firstSeen('x')).toBe(true);
    expect(ids.firstSeen('y')).toBe(true);
    expect(ids.firstSeen('x')).toBe(false);
  });

  it('recent ids - bounded by count and by age', () => {
    const c = clock();
    const ids = new RecentIds({ maxIds: 50, windowMs: 1000, now: c.now });
    for (let i = 0; i < 1000; i++) ids.firstSeen(`id${i}`);
    expect(ids.size).toBe(50);
    expect(ids.firstSeen('id999')).toBe(false);
    expect(ids.firstSeen('id0')).toBe(true); // forgotten by count
    c.advance(1000);
    expect(ids.firstSeen('id999')).toBe(true); // forgotten by age
    expect(ids.size).toBe(1);
  });
});
