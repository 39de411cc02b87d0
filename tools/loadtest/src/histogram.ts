/**
 * A small HDR-like latency histogram: log-linear buckets 1 % wide (so any percentile is within
 * 1 % of the true value), sparse, mergeable across workers and serializable to JSON.
 * Values are milliseconds; below 0.1 ms buckets are narrower than a microsecond.
 */

const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);

export interface SerializedHistogram {
  count: number;
  sum: number;
  min: number;
  max: number;
  /** [bucket index, count] pairs. */
  buckets: Array<[number, number]>;
}

export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

function bucketOf(ms: number): number {
  return Math.floor(Math.log1p(ms * 1000) / LOG_GROWTH);
}

/** The upper edge of a bucket, in ms: a percentile is reported as at most this. */
function upperEdge(index: number): number {
  return Math.expm1((index + 1) * LOG_GROWTH) / 1000;
}

export class Histogram {
  private readonly buckets = new Map<number, number>();
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  /** Negative values (clock skew between processes) count as 0; non-finite ones are ignored. */
  record(ms: number): void {
    if (!Number.isFinite(ms)) return;
    const v = ms < 0 ? 0 : ms;
    const b = bucketOf(v);
    this.buckets.set(b, (this.buckets.get(b) ?? 0) + 1);
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  merge(other: Histogram | SerializedHistogram): this {
    const entries = other instanceof Histogram ? other.buckets.entries() : other.buckets;
    for (const [b, c] of entries) this.buckets.set(b, (this.buckets.get(b) ?? 0) + c);
    this.count += other.count;
    this.sum += other.sum;
    if (other.count > 0) {
      this.min = Math.min(this.min, other.min);
      this.max = Math.max(this.max, other.max);
    }
    return this;
  }

  /**
   * Nearest-rank percentile (0..100): the smallest recorded value such that at least p % of the
   * values are <= it, within 1 %. 0 for an empty histogram.
   */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((Math.min(100, Math.max(0, p)) / 100) * this.count));
    if (rank >= this.count) return this.max;
    if (rank === 1) return this.min;
    let seen = 0;
    for (const b of [...this.buckets.keys()].sort((x, y) => x - y)) {
      seen += this.buckets.get(b) ?? 0;
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, upperEdge(b)));
    }
    return this.max;
  }

  summary(): LatencySummary {
    const round = (v: number) => Math.round(v * 1000) / 1000;
    return {
      count: this.count,
      min: round(this.count ? this.min : 0),
      mean: round(this.count ? this.sum / this.count : 0),
      p50: round(this.percentile(50)),
      p90: round(this.percentile(90)),
      p95: round(this.percentile(95)),
      p99: round(this.percentile(99)),
      p999: round(this.percentile(99.9)),
      max: round(this.count ? this.max : 0),
    };
  }

  toJSON(): SerializedHistogram {
    return { count: this.count, sum: this.sum, min: this.count ? this.min : 0, max: this.count ? this.max : 0, buckets: [...this.buckets.entries()] };
  }

  static from(serialized: SerializedHistogram): Histogram {
    return new Histogram().merge(serialized);
  }
}
