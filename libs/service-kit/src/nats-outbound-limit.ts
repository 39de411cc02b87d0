import { ContractError } from '@relay/contracts';
import type { NatsConnection } from 'nats';
import { natsUsable } from './nats-connection';

/** The part of nats.js's protocol handler this touches (internal: checked at start-up). */
interface ProtocolInternals {
  publish: (subject: string, data?: Uint8Array, options?: unknown) => void;
  outbound: { size(): number };
}

export interface OutboundLimitOptions {
  /** Bytes that may wait for NATS while it is unreachable; past them a publish is refused. */
  maxBytes: number;
  /** Named in the error (the service that could not publish). */
  service: string;
  /** Counts each refusal (metrics). */
  onRefused: () => void;
}

/**
 * Bounded buffering while NATS is away. nats.js keeps everything published (events, requests,
 * replies) during a reconnect in memory, without limit, and sends it once the connection is
 * back: a long outage under load would grow the process until it dies. Past `maxBytes` waiting,
 * a publish is refused at once with a retryable DEPENDENCY_DOWN error, so callers answer
 * SERVICE_UNAVAILABLE (and the outboxes and the tail check recover what must not be lost) while
 * memory stays bounded. Hooked at the protocol's publish, which every publish, request and reply
 * goes through. Returns false when this nats.js does not expose what the limit needs.
 */
export function limitOutboundWhileDisconnected(nc: NatsConnection, opts: OutboundLimitOptions): boolean {
  const proto = (nc as unknown as { protocol?: Partial<ProtocolInternals> }).protocol;
  if (typeof proto?.publish !== 'function' || typeof proto.outbound?.size !== 'function') return false;
  const internals = proto as ProtocolInternals;
  const publish = internals.publish.bind(internals);
  internals.publish = (subject, data, options) => {
    if (!natsUsable(nc)) {
      const waiting = internals.outbound.size();
      if (waiting + (data?.length ?? 0) > opts.maxBytes) {
        opts.onRefused();
        throw new ContractError(
          'DEPENDENCY_DOWN',
          `NATS is unreachable and ${waiting} bytes already wait for it (limit NATS_OUTBOUND_BUFFER_BYTES = ${opts.maxBytes}): not sent`,
          opts.service,
        );
      }
    }
    publish(subject, data, options);
  };
  return true;
}
