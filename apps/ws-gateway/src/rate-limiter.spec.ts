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

  it('rate limiter - a large reply is charged: the next frames wait until it is paid, debt bounded by one burst', () => {
    let now = 0;
    const bucket = new TokenBucket(20, 40, () => now);
    bucket.charge(30);
    let allowed = 0;
    for (let i = 0; i < 100; i++) if (bucket.take()) allowed++;
    expect(allowed).toBe(10);
    bucket.charge(1000); // debt stops at -40
    now += 2000; // 40 tokens pay the debt, nothing left
    expect(bucket.take()).toBe(false);
    now += 50; // one more token
    expect(bucket.take()).toBe(true);
  });
});
