import { RoomMessage, type ChatMessage } from '@relay/contracts';
import type { Subscription } from '@relay/bus';
import { RETRY_PRESETS, withRetry, type ServiceContext } from '@relay/service-kit';
import type { NotificationConfig } from '../config';
import type { MentionBudget } from '../mention-budget';
import { parseMentions } from '../mention-parser';
import type { NotificationMetrics } from '../metrics';
import type { Notifier } from '../notifier';

/** The queue group shared by every instance: each stored message is scanned once. */
export const MENTION_QUEUE = 'notification-service';

const AT = 0x40;

/**
 * A message whose bytes hold no `@` mentions nobody: most chat traffic is skipped before it is
 * parsed and validated. (chat-service, the only publisher, encodes with JSON.stringify, which
 * never escapes `@`; a payload with an `@` anywhere is parsed and scanned as before.)
 */
function mayMention(payload: Uint8Array): boolean {
  return payload.indexOf(AT) !== -1;
}

export interface MentionHandlerDeps {
  consume: ServiceContext<NotificationConfig>['consume'];
  notifier: Notifier;
  metrics: NotificationMetrics;
  mentionsMaxPerMessage: number;
  /** The per-sender budget across messages; absent = per-message cap only. */
  budget?: MentionBudget;
}

/**
 * Consumes every room's stored messages and notifies each distinct mentioned user except the
 * sender. The idempotency scope is the message id, so the same message seen twice (a
 * redelivery, a replay) creates nothing new; that is also what makes the retry safe.
 */
export function subscribeMentions(deps: MentionHandlerDeps): Subscription {
  return deps.consume(
    RoomMessage,
    '*',
    async (msg, meta, log) => {
      const users = parseMentions(msg.text).filter((u) => u !== msg.from);
      if (users.length === 0) return;
      let kept = users.slice(0, deps.mentionsMaxPerMessage);
      try {
        // Charged once, before the retry: a retried notify must not spend the budget twice.
        if (deps.budget) kept = kept.slice(0, await deps.budget.take(msg.from, kept.length));
        if (kept.length < users.length) deps.metrics.mentionsIgnored.inc(users.length - kept.length);
        if (kept.length === 0) return;
        await withRetry(() => deps.notifier.notify(kept.map((user) => mentionFor(msg, user)), 'mention', meta.correlationId), RETRY_PRESETS.idempotent);
      } catch (err) {
        log.error({ err, room: msg.room, messageId: msg.id }, 'mention notifications failed');
      }
    },
    {
      queue: MENTION_QUEUE,
      prefilter: (payload) => {
        // Counted here, before any parsing, so tests (and dashboards) see every message scanned.
        deps.metrics.roomMessages.inc();
        return mayMention(payload);
      },
    },
  );
}

function mentionFor(msg: ChatMessage, user: string) {
  return {
    user,
    kind: 'mention',
    from: msg.from,
    room: msg.room,
    text: msg.text,
    ts: msg.ts,
    data: { messageId: msg.id, seq: msg.seq },
    idempotencyScope: `mention:${msg.id}`,
  };
}
