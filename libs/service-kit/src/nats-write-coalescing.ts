import type { NatsConnection } from 'nats';

/** The part of nats.js's protocol handler this touches (internal: checked at start-up). */
interface ProtocolInternals {
  flushPending: () => void;
  close: () => Promise<void>;
}

/**
 * One NATS write per event-loop iteration instead of one per callback. nats.js flushes its
 * outbound buffer in a microtask, i.e. after every I/O callback: a gateway that reads 30 client
 * frames in one poll phase makes 30 write system calls on its NATS socket, and a chat-service
 * answering a batch of Redis replies one per reply chunk. Deferring the flush to `setImmediate`
 * (right after the poll phase) sends everything of the iteration in one write, at a latency cost
 * of well under a millisecond. Protocol order is unchanged: the buffer is one FIFO. `flush()`
 * (PING/PONG) still confirms delivery since the PING leaves with the same write; `close()`
 * flushes first so nothing published just before it is dropped.
 * Returns false when this nats.js does not expose what the coalescing needs.
 */
export function coalesceNatsWrites(nc: NatsConnection): boolean {
  const proto = (nc as unknown as { protocol?: Partial<ProtocolInternals> }).protocol;
  if (typeof proto?.flushPending !== 'function' || typeof proto.close !== 'function') return false;
  const internals = proto as ProtocolInternals;
  const flushNow = internals.flushPending.bind(internals);
  const close = internals.close.bind(internals);
  let scheduled = false;
  internals.flushPending = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      flushNow();
    });
  };
  internals.close = () => {
    flushNow();
    return close();
  };
  return true;
}
