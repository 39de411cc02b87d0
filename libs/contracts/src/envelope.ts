/** What every NATS message of the platform looks like (built by @relay/bus, read by everyone). */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * Every event and request travels in an envelope: a unique id (consumers deduplicate on it),
 * the source that made it, a versioned type, a time and, when it differs from the id, the
 * correlation id of the client request that caused it (`cid`; logged by every service on the
 * way). A breaking change of a payload is a new version, never an edit of an old one.
 */
export const EnvelopeHeader = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  type: Type.String({ pattern: '^[a-z][a-z0-9_.-]*\\.v[0-9]+$' }),
  source: Type.String({ minLength: 1, maxLength: 128 }),
  time: Type.Integer({ minimum: 0 }),
  cid: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});
export type EnvelopeHeader = Static<typeof EnvelopeHeader>;

export const Envelope = <T extends TSchema>(data: T) =>
  Type.Object({
    id: EnvelopeHeader.properties.id,
    type: EnvelopeHeader.properties.type,
    source: EnvelopeHeader.properties.source,
    time: EnvelopeHeader.properties.time,
    cid: EnvelopeHeader.properties.cid,
    data,
  });

export interface EnvelopeOf<T> extends EnvelopeHeader {
  data: T;
}

export function versionedType(type: string, version: number): string {
  return `${type}.v${version}`;
}
