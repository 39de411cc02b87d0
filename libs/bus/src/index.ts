export { Bus, CORRELATION_HEADER, DEFAULT_MAX_PAYLOAD } from './bus';
export { extractTraceHeaders, injectTraceHeaders, recordSpanError, runInSpan, TRACEPARENT_HEADER, tracingActive } from './bus-tracing';
export { makeEnvelope } from './envelope';

export type { BusLogger, BusOptions, EventParams, InvalidMessage, MessageMeta, PreparedEvent, PublishOptions, RequestOptions, SubscribeOptions } from './bus';
export type { EnvelopeIdentity } from './envelope';
export type { Subscription } from './subscription';
