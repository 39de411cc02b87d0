/**
 * A token bucket per connection: `ratePerSec` tokens a second, at most `burst` saved up.
 * Every inbound frame takes one token, pings and invalid frames included (PROTOCOL).
 */
/** One clock for every bucket: a closure per bucket is memory per idle connection. */
const monotonicNow = (): number => performance.now();

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    private readonly now: () => number = monotonicNow,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes a token; false when the bucket is empty (the frame is refused). */
  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /**
   * Charges the cost of a large reply (history, presence) after it was sent: the bucket may go
   * into debt, down to one burst, so the next frames wait until the reply is paid for.
   */
  charge(tokens: number): void {
    if (tokens <= 0) return;
    this.refill();
    this.tokens = Math.max(-this.burst, this.tokens - tokens);
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSec);
    this.last = t;
  }
}
