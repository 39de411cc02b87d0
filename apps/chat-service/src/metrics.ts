/** chat-service's own metrics; request counts, durations and errors come from the service kit (relay_chat_requests_total ...). */
import type { Counter, Histogram } from 'prom-client';
import type { ServiceMetrics } from '@relay/service-kit';

export interface ChatMetrics {
  messagesStored: Counter;
  duplicates: Counter;
  /** Duration of the append script round trip. */
  storeSeconds: Histogram;
  /** Stored messages whose RoomMessage could not be published (clients recover them by seq). */
  publishFailures: Counter;
  /** Mention events acknowledged by the CHAT_MENTIONS stream (outcome stored, or duplicate of an earlier publish). */
  mentionsPublished: Counter<'outcome'>;
  /** Mention events that could not be stored after their retries: those notifications are lost. */
  mentionPublishFailures: Counter;
}

export function createChatMetrics(metrics: ServiceMetrics): ChatMetrics {
  return {
    messagesStored: metrics.counter('relay_chat_messages_stored_total', 'Messages stored (duplicates excluded)'),
    duplicates: metrics.counter('relay_chat_duplicates_total', 'Sends answered from an earlier send with the same clientMsgId'),
    storeSeconds: metrics.histogram('relay_chat_store_seconds', 'Duration of the Redis append script'),
    publishFailures: metrics.counter('relay_chat_publish_failures_total', 'Stored messages whose RoomMessage publish failed'),
    mentionsPublished: metrics.counter('relay_chat_mentions_published_total', 'Mention events acknowledged by the CHAT_MENTIONS stream', ['outcome']),
    mentionPublishFailures: metrics.counter('relay_chat_mention_publish_failures_total', 'Mention events not stored after their retries (their notifications are lost)'),
  };
}
