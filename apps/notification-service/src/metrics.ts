/** notification-service's own metrics; request counts and durations come from the service kit (relay_notification_requests_total ...). */
import type { ServiceMetrics } from '@relay/service-kit';

export type NotificationMetrics = ReturnType<typeof createNotificationMetrics>;

/** The service's own metrics (docs/notifications.md "Metrics"), on the runtime's registry. */
export function createNotificationMetrics(m: ServiceMetrics) {
  return {
    created: m.counter('relay_notifications_created_total', 'Notifications created, by kind', ['kind']),
    duplicates: m.counter('relay_notifications_duplicates_total', 'Creations skipped because the idempotency key was seen, by source', ['source']),
    delivered: m.counter(
      'relay_notifications_delivered_total',
      'Notifications handed out: path=live published to the user subject, path=stored returned by NotifyPending',
      ['path'],
    ),
    acked: m.counter('relay_notifications_acked_total', 'Pending notifications removed by NotifyAck'),
    evicted: m.counter('relay_notifications_evicted_total', 'Pending notifications dropped because the per-user cap was reached'),
    mentionsIgnored: m.counter('relay_notification_mentions_ignored_total', 'Mentions past MENTIONS_MAX_PER_MESSAGE in one message'),
    onlineLookups: m.counter(
      'relay_notification_online_lookups_total',
      'Users looked up for the delivered answer: source=cache the online cache, presence a PresenceOnline answer, unknown presence unavailable',
      ['source'],
    ),
    presenceEvents: m.counter(
      'relay_notification_presence_events_total',
      'UserOnline/UserOffline events received, by event and outcome (applied, stale: older than the cached state, duplicate: envelope id seen)',
      ['event', 'outcome'],
    ),
  };
}
