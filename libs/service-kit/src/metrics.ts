import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Buckets in seconds from 0.5 ms to 5 s: chat latencies live at the low end. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface ServiceMetrics {
  registry: Registry;
  counter<L extends string>(name: string, help: string, labelNames?: readonly L[]): Counter<L>;
  gauge<L extends string>(name: string, help: string, labelNames?: readonly L[]): Gauge<L>;
  histogram<L extends string>(name: string, help: string, labelNames?: readonly L[], buckets?: number[]): Histogram<L>;
  /** Counts messages dropped because they failed contract validation. */
  invalidMessages: Counter<'type'>;
  /** Durations of this service's NATS requests, by contract type and outcome. */
  natsRequestSeconds: Histogram<'type' | 'outcome'>;
  /** Publishes refused while NATS was away and the outbound buffer full (nats-outbound-limit). */
  natsPublishesRefused: Counter;
  /** Messages of durable JetStream consumers, by outcome: acked, retried, gave_up, poison (bus durable-consumer.ts). */
  durableMessages: Counter<'stream' | 'durable' | 'outcome'>;
}

/** One registry per service instance (not the global one), so in-process tests can run several. */
export function createMetrics(service: string, instanceId: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service, instance: instanceId });
  collectDefaultMetrics({ register: registry });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers: [registry] });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name, help, labelNames, registers: [registry] });
  const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[] = [], buckets = LATENCY_BUCKETS) =>
    new Histogram<L>({ name, help, labelNames, buckets, registers: [registry] });
  return {
    registry,
    counter,
    gauge,
    histogram,
    invalidMessages: counter('relay_invalid_messages_total', 'Inbound NATS messages dropped by contract validation', ['type']),
    natsRequestSeconds: histogram('relay_nats_request_seconds', 'Duration of NATS requests to other services', ['type', 'outcome']),
    natsPublishesRefused: counter('relay_nats_publishes_refused_total', 'Publishes refused because NATS was unreachable and the outbound buffer was full'),
    durableMessages: counter('relay_durable_messages_total', 'Messages of durable JetStream consumers, by stream, durable and outcome', ['stream', 'durable', 'outcome']),
  };
}
