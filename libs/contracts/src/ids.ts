import { randomBytes } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/**
 * ULIDs from a pooled random source. The `ulid` package's default source makes one
 * `crypto.randomBytes(1)` call per character (16 per id), which profiling showed as 13 % of
 * the gateway's CPU under load; one 4 KiB draw serves 256 ids with the same randomness.
 */
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let offset = 0;

function pooledRandom(): number {
  if (offset >= POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  return pool[offset++] / 256;
}

// Monotonic: ids made in the same millisecond by this process still sort in the order they
// were made, so anything ordered by (time, id) keeps creation order.
const makeUlid = monotonicFactory(pooledRandom);

/** A new ULID: 26 characters, sortable by creation time (strictly increasing within a process). */
export function newId(): string {
  return makeUlid();
}
