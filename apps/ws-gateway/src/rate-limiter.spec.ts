import { TokenBucket } from './rate-limiter';

describe('rate limiter', () => {
  it('rate limiter - allows the burst, then the rate', () => {
    let now = 0;
    const bucket = new TokenBucket(20, 40, () => now);
    let allowed = 0;
    for (let i = 0; i < 100; i++) if (bucket.take()) allowed++;
    expect(allowed).toBe(40);
    now += 500; // half a second: 10 tokens
    allowed = 0;
    for (let i = 0; i < 100; i++) if (bucket.take()) allowed++;
    expect(allowed).toBe(10);
    now += 60_000; // never more than the burst saved up
    allowed = 0;
    for (let i = 0; i < 100; i++) if (bucket.take()) allowed++;
    expect(allowed).toBe(40);
  });
});
