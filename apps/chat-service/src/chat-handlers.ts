/** The chat domain: send (store before publish), history pages and join with recovery. */
import {
  checkMessageText,
  newId,
  RoomMessage,
  type ChatMessage,
  type HistoryReply,
  type HistoryRequest,
  type JoinRoomReply,
  type JoinRoomRequest,
  type RoomPositionsReply,
  type RoomPositionsRequest,
  type SendMessageReply,
  type SendMessageRequest,
} from '@relay/contracts';
import { type Bus, type MessageMeta } from '@relay/bus';
import type { Logger } from '@relay/service-kit';
import { chatError } from './errors';
import type { ChatMetrics } from './metrics';
import type { MentionPublisher } from './mention-publisher';
import type { MessageStore } from './message-store';
import { newestWithin, oldestWithin } from './reply-budget';

export interface ChatHandlerDeps {
  store: MessageStore;
  bus: Bus;
  logger: Logger;
  metrics: ChatMetrics;
  textMaxChars: number;
  /** Announces stored messages that mention someone on the CHAT_MENTIONS stream. */
  mentions?: Pick<MentionPublisher, 'announce'>;
}

export interface ChatHandlers {
  send(req: SendMessageRequest, meta: MessageMeta): Promise<SendMessageReply>;
  history(req: HistoryRequest, meta: MessageMeta): Promise<HistoryReply>;
  join(req: JoinRoomRequest, meta: MessageMeta): Promise<JoinRoomReply>;
  positions(req: RoomPositionsRequest, meta: MessageMeta): Promise<RoomPositionsReply>;
}

/** The chat domain: requests arrive already validated against the catalog schemas. */
export function createChatHandlers(deps: ChatHandlerDeps): ChatHandlers {
  const { store, bus, logger, metrics } = deps;

  function announce(message: ChatMessage, meta: MessageMeta): void {
    try {
      bus.publish(RoomMessage, { room: message.room }, message, { correlationId: meta.correlationId });
    } catch (err) {
      // Stored but not announced: gateways fetch it by their tail check, clients by `since`.
      metrics.publishFailures.inc();
      logger.error({ err, correlationId: meta.correlationId, room: message.room, seq: message.seq }, 'RoomMessage publish failed');
    }
  }

  /**
   * A retried send (same clientMsgId) whose first try was stored: that try may have died or timed
   * out between store and publish, and then nobody got the message live. So the stored copy is
   * announced again; gateways and clients drop a seq they have, so a second announcement is
   * harmless. A message no longer in the history (trimmed) is not announced; a failed read does
   * not fail the send (the gateways' tail check still finds the message).
   */
  async function announceAgain(room: string, record: ChatMessage, meta: MessageMeta): Promise<void> {
    try {
      const stored = await store.stored(room, record.seq, record.id);
      if (stored) announce(stored, meta);
    } catch (err) {
      logger.warn({ err, correlationId: meta.correlationId, room, seq: record.seq }, 'stored message of a retried send not announced again');
    }
  }

  return {
    async send(req, meta) {
      const text = checkMessageText(req.text, deps.textMaxChars);
      if (!text.ok && text.problem === 'empty') throw chatError('CHAT_TEXT_EMPTY');
      if (!text.ok) throw chatError('CHAT_TEXT_TOO_LONG', `text is ${text.length} characters; the limit is ${text.max}`);
      const { message, duplicate } = await store.append({
        room: req.room,
        from: req.user,
        text: req.text,
        clientMsgId: req.clientMsgId,
        id: newId(),
        ts: Date.now(),
      });
      if (duplicate) {
        metrics.duplicates.inc();
        await announceAgain(req.room, message, meta);
      } else {
        metrics.messagesStored.inc();
        // Store before publish: only a durable message is announced.
        announce(message, meta);
      }
      // A duplicate send announces again: a mention lost on the first try is healed, a stored one deduplicated.
      await deps.mentions?.announce(message, meta.correlationId);
      return { id: message.id, seq: message.seq, ts: message.ts, duplicate };
    },

    async history(req) {
      // A page of large messages may hold fewer than `limit`; the client pages on with `before`.
      return { messages: newestWithin(await store.before(req.room, req.before, req.limit), bus.replyBudgetBytes) };
    },

    async positions(req) {
      return { positions: await store.positions(req.rooms) };
    },

    async join(req) {
      const { seq: latest, epoch } = await store.position(req.room);
      if (req.since === undefined) return { seq: latest, epoch, messages: [] };
      const lost = { seq: latest, epoch, recovered: false, messages: [] };
      // The client's seqs belong to another store generation (a reset or replaced history).
      if (req.epoch !== undefined && req.epoch !== epoch) return lost;
      // A client ahead of the room remembers a history that no longer exists (e.g. a wiped store).
      if (req.since > latest) return lost;
      const missed = latest - req.since;
      if (missed > req.cap) return lost;
      if (missed === 0) return { seq: latest, epoch, recovered: true, messages: [] };
      const messages = await store.range(req.room, req.since + 1, latest);
      // Fewer than missed: the oldest ones were trimmed from the capped history.
      if (messages.length !== missed) return lost;
      // Too large for one reply: the gateway asks again with `since` = the last seq it got.
      const part = oldestWithin(messages, bus.replyBudgetBytes);
      return part.length < messages.length ? { seq: latest, epoch, recovered: true, messages: part, more: true } : { seq: latest, epoch, recovered: true, messages };
    },
  };
}
