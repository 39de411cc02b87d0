import { RecentIds } from './recent-ids';

describe('recent-ids', () => {
  it('recent-ids - a repeat is recognised, the oldest id goes past the count bound', () => {
    const ids = new RecentIds({ maxIds: 2 });
    expect(ids.firstSeen('a')).toBe(true);
    expect(ids.firstSeen('a')).toBe(false);
    ids.add('b');
    ids.add('c');
    expect(ids.size).toBe(2);
    expect(ids.has('a')).toBe(false);
    expect(ids.has('c')).toBe(true);
  });

  it('recent-ids - ids older than the window are forgotten', () => {
    let t = 0;
    const ids = new RecentIds({ maxIds: 10, windowMs: 100, now: () => t });
    ids.add('a');
    t = 50;
    expect(ids.has('a')).toBe(true);
    t = 101;
    expect(ids.has('a')).toBe(false);
    expect(ids.size).toBe(0);
  });
});
