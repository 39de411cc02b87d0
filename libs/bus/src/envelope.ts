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

/** An envelope for `data`; a fresh id and the current time unless `identity` says otherwise. */
export function makeEnvelope<T>(type: string, version: number, source: string, data: T, identity?: EnvelopeIdentity): EnvelopeOf<T> {
  return { id: identity?.id ?? newId(), type: versionedType(type, version), source, time: identity?.time ?? Date.now(), data };
}
