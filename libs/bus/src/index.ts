export { Bus, CORRELATION_HEADER, DEFAULT_MAX_PAYLOAD } from './bus';
export { extractTraceHeaders, injectTraceHeaders, recordSpanError, runInSpan, TRACEPARENT_HEADER, tracingActive } from './bus-tracing';
export { DurableConsumer, nakDelayMs } from './durable-consumer';
export { makeEnvelope } from './envelope';
export { ensureStream, streamConfig } from './streams';

export type { BusLogger, BusOptions, EventParams, InvalidMessage, MessageMeta, PreparedEvent, PublishOptions, RequestOptions, SubscribeOptions } from './bus';
export type { DurableOutcome } from './durable-consumer';
export type { EnvelopeIdentity } from './envelope';
export type { EnsureOutcome, StreamSettings } from './streams';
export type { Subscription } from './subscription';
