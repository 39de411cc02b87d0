import type { ServiceMetrics } from '@relay/service-kit';
import { SKIP_REASONS } from './room-sequencer';

/** The gateway's own metrics (README "Metrics"); breaker states come from service-kit. */
export function createGatewayMetrics(m: ServiceMetrics) {
  const metrics = {
    connections: m.gauge('relay_gateway_connections', 'Open WebSocket connections'),
    framesIn: m.counter('relay_gateway_frames_in_total', 'Inbound client frames by type (invalid ones as "invalid")', ['type']),
    framesOut: m.counter('relay_gateway_frames_out_total', 'Outbound frames written to sockets by type', ['type']),
    deliveries: m.counter('relay_gateway_deliveries_total', 'Chat message frames written to sockets (live fan-out)'),
    errors: m.counter('relay_gateway_errors_total', 'Error frames sent to clients by client code', ['code']),
    sendSeconds: m.histogram('relay_gateway_send_seconds', 'From a send frame to its sent reply'),
    sendFailures: m.counter('relay_gateway_send_failures_total', 'Send frames that chat-service could not store (failed, timed out, breaker open), by client code', ['code']),
    fanoutSeconds: m.histogram('relay_gateway_fanout_seconds', 'From a message ts to written to every local member socket'),
    droppedFrames: m.counter('relay_gateway_dropped_frames_total', 'Outbound frames not delivered, by reason', ['reason']),
    roomSubscriptions: m.gauge('relay_gateway_room_subscriptions', 'Rooms this gateway is subscribed to (has a local member in)'),
    joins: m.counter('relay_gateway_joins_total', 'Joins by who answered them: "gateway" (the room was followed here and settled) or "chat-service"', ['answered']),
    closes: m.counter('relay_gateway_closes_total', 'Connections closed by the gateway, by close code', ['code']),
    tailRecovered: m.counter('relay_gateway_tail_recovered_total', 'Messages whose live publish never arrived, fetched by the periodic tail check'),
    skippedMessages: m.counter(
      'relay_gateway_skipped_messages_total',
      'Seqs a room stream went past without delivering them live: not-in-history (trimmed or a replaced store), fetch-failed (history unreadable past the give-up bound)',
      ['reason'],
    ),
  };
  // Every reason exported at 0 from the start, so increase() in the alert sees the first skip.
  for (const reason of SKIP_REASONS) metrics.skippedMessages.inc({ reason }, 0);
  return metrics;
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
