import { MentionStream, RoomMention, type MentionEvent } from '@relay/contracts';
import type { DurableSubscription, ServiceContext } from '@relay/service-kit';
import type { NotificationConfig } from '../config';
import type { MentionBudget } from '../mention-budget';
import type { NotificationMetrics } from '../metrics';
import type { Notifier } from '../notifier';

/** The durable consumer every instance binds (declared with the stream): they split the mentions. */
export const MENTION_DURABLE = 'notification-service';

export interface MentionHandlerDeps {
  consumeDurable: ServiceContext<NotificationConfig>['consumeDurable'];
  notifier: Notifier;
  metrics: NotificationMetrics;
  mentionsMaxPerMessage: number;
  /** The per-sender budget across messages; absent = per-message cap only. */
  budget?: MentionBudget;
}

/**
 * Reads chat-service's mention events from the CHAT_MENTIONS stream and notifies each mentioned
 * user. A mention made while no instance runs waits in the stream. The idempotency scope is the
 * message id, so the same event delivered twice (a redelivery after a crash before the ack, a
 * publish retried by chat-service) creates nothing new; a failure throws, and the stream
 * delivers the event again later.
 */
export function consumeMentions(deps: MentionHandlerDeps): DurableSubscription {
  return deps.consumeDurable(MentionStream, MENTION_DURABLE, RoomMention, async (event, meta) => {
    // chat-service leaves the sender out already; a stream written by an older or foreign publisher may not.
    const users = event.mentioned.filter((u) => u !== event.from);
    if (users.length === 0) return;
    let kept = users.slice(0, deps.mentionsMaxPerMessage);
    // Charged once per message, whatever the number of deliveries.
    if (deps.budget) kept = kept.slice(0, await deps.budget.takeOnce(event.from, event.messageId, kept.length));
    if (kept.length < users.length) deps.metrics.mentionsIgnored.inc(users.length - kept.length);
    if (kept.length === 0) return;
    await deps.notifier.notify(
      kept.map((user) => mentionFor(event, user)),
      'mention',
      meta.correlationId,
    );
  });
}

function mentionFor(event: MentionEvent, user: string) {
  return {
    user,
    kind: 'mention',
    from: event.from,
    room: event.room,
    text: event.text,
    ts: event.ts,
    data: { messageId: event.messageId, seq: event.seq },
    idempotencyScope: `mention:${event.messageId}`,
  };
}
