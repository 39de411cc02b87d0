/**
 * Announces stored messages that mention someone on the CHAT_MENTIONS stream, so a
 * notification-service that is down reads them when it is back. Only messages with a mention go
 * there; the room fan-out stays on core NATS.
 */
import { isContractError, parseMentions, RoomMention, type ChatMessage, type MentionEvent } from '@relay/contracts';
import type { Bus } from '@relay/bus';
import { withRetry, type Logger, type RetryOptions } from '@relay/service-kit';
import type { ChatMetrics } from './metrics';

export interface MentionPublisherDeps {
  bus: Pick<Bus, 'publishDurable'>;
  logger: Logger;
  metrics: Pick<ChatMetrics, 'mentionsPublished' | 'mentionPublishFailures'>;
  /** How long one publish waits for its PubAck. */
  ackTimeoutMs: number;
  /** Retries of a publish whose ack did not come (JetStream away, a leader election). */
  retry?: RetryOptions;
}

/** About 7 s in all at the default ack timeout: long enough for a NATS leader election, short enough to be done before a rolling restart's drain. */
const DEFAULT_RETRY: RetryOptions = {
  attempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 2000,
  // The same event again is deduplicated by its Nats-Msg-Id; only a broken contract is final.
  isRetryable: (err) => !(isContractError(err) && err.code === 'BAD_REQUEST'),
};

/** The mention event of a stored message, or undefined when it mentions nobody but maybe its sender. */
export function mentionEventOf(message: ChatMessage): MentionEvent | undefined {
  const mentioned = parseMentions(message.text).filter((u) => u !== message.from);
  if (mentioned.length === 0) return undefined;
  return { room: message.room, messageId: message.id, seq: message.seq, from: message.from, mentioned, text: message.text, ts: message.ts };
}

/** The envelope id, and so the Nats-Msg-Id, of a message's mention event: the same on every retry or resend. */
export function mentionEventId(messageId: string): string {
  return `mention-${messageId}`;
}

export class MentionPublisher {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly deps: MentionPublisherDeps) {}

  /**
   * Publishes the message's mention event, if it has one. Resolves once the first attempt is
   * acknowledged, or has failed (the retries go on in the background): the `sent` reply then
   * follows a stored mention event, so a chat-service that dies before the ack never replied and
   * the client's retry (same clientMsgId) announces it again; and a JetStream in trouble delays a
   * reply by one ack timeout at most. A publish that fails after its retries is logged with the
   * room, seq and message id, and counted (relay_chat_mention_publish_failures_total). Never rejects.
   */
  announce(message: ChatMessage, correlationId?: string): Promise<void> {
    const data = mentionEventOf(message);
    if (!data) return Promise.resolve();
    let firstSettled!: () => void;
    const first = new Promise<void>((resolve) => (firstSettled = resolve));
    const job = this.publish(data, correlationId, firstSettled).finally(() => {
      firstSettled();
      this.inFlight.delete(job);
    });
    this.inFlight.add(job);
    return first;
  }

  /** Resolves when every publish started so far has its ack or has given up (shutdown waits on it). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private async publish(data: MentionEvent, correlationId: string | undefined, firstSettled: () => void): Promise<void> {
    const { bus, metrics, logger } = this.deps;
    const event = { def: RoomMention, params: { room: data.room }, data, identity: { id: mentionEventId(data.messageId), time: data.ts }, correlationId };
    const attempt = async () => {
      try {
        return await bus.publishDurable(event, { timeoutMs: this.deps.ackTimeoutMs });
      } finally {
        firstSettled();
      }
    };
    try {
      const ack = await withRetry(attempt, this.deps.retry ?? DEFAULT_RETRY);
      metrics.mentionsPublished.inc({ outcome: ack.duplicate ? 'duplicate' : 'stored' });
    } catch (err) {
      metrics.mentionPublishFailures.inc();
      logger.error({ err, correlationId, room: data.room, seq: data.seq, messageId: data.messageId, mentioned: data.mentioned.length }, 'mention event not stored; its notifications are lost');
    }
  }
}
