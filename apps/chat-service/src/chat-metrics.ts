import type { Counter, Histogram } from 'prom-client';
import type { ServiceMetrics } from '@relay/service-kit';

export type ChatRequestType = 'send' | 'history' | 'join';

export interface ChatMetrics {
  messagesStored: Counter;
  duplicates: Counter;
  /** Duration of the append script round trip. */
  storeSeconds: Histogram;
  /** outcome: `ok` or the ContractError code of the reply. */
  requests: Counter<'type' | 'outcome'>;
  requestSeconds: Histogram<'type'>;
  /** By stable CHAT_* code (or the ContractError code of an unexpected failure). */
  errors: Counter<'code'>;
  /** Stored messages whose RoomMessage could not be published (clients recover them by seq). */
  publishFailures: Counter;
}

export function createChatMetrics(metrics: ServiceMetrics): ChatMetrics {
  return {
    messagesStored: metrics.counter('relay_chat_messages_stored_total', 'Messages stored (duplicates excluded)'),
    duplicates: metrics.counter('relay_chat_duplicates_total', 'Sends answered from an earlier send with the same clientMsgId'),
    storeSeconds: metrics.histogram('relay_chat_store_seconds', 'Duration of the Redis append script'),
    requests: metrics.counter('relay_chat_requests_total', 'Chat requests served, by type and outcome', ['type', 'outcome']),
    requestSeconds: metrics.histogram('relay_chat_request_seconds', 'Duration of chat request handling', ['type']),
    errors: metrics.counter('relay_chat_errors_total', 'Chat request errors by code', ['code']),
    publishFailures: metrics.counter('relay_chat_publish_failures_total', 'Stored messages whose RoomMessage publish failed'),
  };
}
