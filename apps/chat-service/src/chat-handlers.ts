/** The chat domain: send (store before publish), history pages and join with recovery. */
import {
  checkMessageText,
  newId,
  RoomMessage,
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
import type { MessageStore } from './message-store';
import { newestWithin, oldestWithin } from './reply-budget';

export interface ChatHandlerDeps {
  store: MessageStore;
  bus: Bus;
  logger: Logger;
  metrics: ChatMetrics;
  textMaxChars: number;
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
      } else {
        metrics.messagesStored.inc();
        // Store before publish: only a durable message is announced, and only once.
        try {
          bus.publish(RoomMessage, { room: req.room }, message, { correlationId: meta.correlationId });
        } catch (err) {
          // Stored but not announced: members see the seq gap and recover it with `since`.
          metrics.publishFailures.inc();
          logger.error({ err, correlationId: meta.correlationId, room: req.room, seq: message.seq }, 'RoomMessage publish failed');
        }
      }
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
