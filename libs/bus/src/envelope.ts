/**
 * The one place an envelope is built. The contracts lib says what an envelope is (its schema and
 * versioned type names); making one needs ids and clocks, which belong to the runtime.
 */
import { newId, versionedType, type EnvelopeOf } from '@relay/contracts';

/** What identifies one event independently of when it is (re)sent: its id and its time. */
export interface EnvelopeIdentity {
  id: string;
  /** Milliseconds since the epoch. */
  time: number;
}

/**
 * An envelope for `data`; a fresh id and the current time unless `identity` says otherwise. The
 * correlation id goes in only when it differs from the id (a reader takes the id otherwise).
 */
export function makeEnvelope<T>(type: string, version: number, source: string, data: T, identity?: EnvelopeIdentity, correlationId?: string): EnvelopeOf<T> {
  const id = identity?.id ?? newId();
  const time = identity?.time ?? Date.now();
  const typeV = versionedType(type, version);
  // Field order is fixed (one hidden class, stable JSON) whether or not `cid` is set.
  return correlationId !== undefined && correlationId !== id ? { id, type: typeV, source, time, cid: correlationId, data } : { id, type: typeV, source, time, data };
}
