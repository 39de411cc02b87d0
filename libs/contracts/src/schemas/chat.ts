import { Type, type Static } from '@sinclair/typebox';
import { OpaqueId, RoomName, UserId } from '../names';

export const TEXT_MAX_CODE_POINTS = 4000;
/** The schema bounds UTF-16 units; the code-point limit is checked by `codePointLength`. */
const MessageText = Type.String({ minLength: 1, maxLength: TEXT_MAX_CODE_POINTS * 2 });
const Seq = Type.Integer({ minimum: 1 });
/**
 * A room's store generation (a ULID, so a later epoch sorts after an earlier one). It changes
 * when the room's stored history was reset or replaced: seqs of a new epoch continue from what
 * the store holds (1 after a wipe), and gateways and clients start the room over instead of
 * dropping its messages as already seen. Optional only for messages stored before epochs existed.
 */
const Epoch = Type.String({ minLength: 1, maxLength: 64 });

/** A stored chat message, as published on its room subject and sent to clients. */
export const ChatMessage = Type.Object({
  room: RoomName,
  id: Type.String({ minLength: 1, maxLength: 64 }),
  seq: Seq,
  from: UserId,
  text: Type.String(),
  ts: Type.Integer({ minimum: 0 }),
  epoch: Type.Optional(Epoch),
});
export type ChatMessage = Static<typeof ChatMessage>;

export const SendMessageRequest = Type.Object({
  room: RoomName,
  user: UserId,
  text: MessageText,
  clientMsgId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
});
export type SendMessageRequest = Static<typeof SendMessageRequest>;

export const SendMessageReply = Type.Object({
  id: Type.String(),
  seq: Seq,
  ts: Type.Integer(),
  /** True when `clientMsgId` matched a stored message and nothing new was stored. */
  duplicate: Type.Boolean(),
});
export type SendMessageReply = Static<typeof SendMessageReply>;

export const HISTORY_MAX_LIMIT = 100;
export const HistoryRequest = Type.Object({
  room: RoomName,
  /** Exclusive upper bound: messages with seq < before. Latest when absent. */
  before: Type.Optional(Type.Integer({ minimum: 1 })),
  limit: Type.Integer({ minimum: 1, maximum: HISTORY_MAX_LIMIT }),
});
export type HistoryRequest = Static<typeof HistoryRequest>;

/**
 * A page holds fewer than `limit` messages when they would not fit in one NATS message; it
 * always keeps the newest ones (closest to `before`), so paging on with `before` = the first
 * seq of the page loses nothing.
 */
export const HistoryReply = Type.Object({ messages: Type.Array(ChatMessage) });
export type HistoryReply = Static<typeof HistoryReply>;

/** Asked by a gateway when a connection joins: the latest seq, and the missed messages when `since` is given. */
export const JoinRoomRequest = Type.Object({
  room: RoomName,
  since: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Recovery cap: past this many missed messages, nothing is replayed. */
  cap: Type.Integer({ minimum: 0, maximum: 10000 }),
  /** The epoch `since` belongs to: a different current epoch answers `recovered: false`. */
  epoch: Type.Optional(Epoch),
});
export type JoinRoomRequest = Static<typeof JoinRoomRequest>;

export const JoinRoomReply = Type.Object({
  seq: Type.Integer({ minimum: 0 }),
  /** The room's current epoch (optional only for a chat-service that predates epochs). */
  epoch: Type.Optional(Epoch),
  /** Present only when `since` was given. */
  recovered: Type.Optional(Type.Boolean()),
  messages: Type.Array(ChatMessage),
  /**
   * The replay was cut to fit one NATS message: ask again with `since` = the last seq received
   * to get the rest. Absent or false when `messages` reaches `seq`.
   */
  more: Type.Optional(Type.Boolean()),
});
export type JoinRoomReply = Static<typeof JoinRoomReply>;

export const POSITIONS_MAX_ROOMS = 500;
/**
 * Asked periodically by a gateway for the rooms it holds: where each room's store stands, so a
 * last message whose publish was lost (nothing after it shows the gap) is noticed and fetched.
 */
export const RoomPositionsRequest = Type.Object({
  rooms: Type.Array(RoomName, { minItems: 1, maxItems: POSITIONS_MAX_ROOMS }),
});
export type RoomPositionsRequest = Static<typeof RoomPositionsRequest>;

export const RoomPosition = Type.Object({
  room: RoomName,
  /** The latest stored seq, 0 when the room has none. */
  seq: Type.Integer({ minimum: 0 }),
  /** Absent when the room has no epoch yet (nothing stored since epochs exist). */
  epoch: Type.Optional(Epoch),
});
export type RoomPosition = Static<typeof RoomPosition>;

/** One position per requested room, in the request's order. */
export const RoomPositionsReply = Type.Object({ positions: Type.Array(RoomPosition) });
export type RoomPositionsReply = Static<typeof RoomPositionsReply>;

/** Ephemeral: published by a gateway, never stored. */
export const TypingEvent = Type.Object({
  room: RoomName,
  user: UserId,
  /** The typing connection, which must not get its own typing frame back. */
  session: OpaqueId,
});
export type TypingEvent = Static<typeof TypingEvent>;


/**
 * Most users one mention event names: a message of TEXT_MAX_CODE_POINTS holds at most half as
 * many `@x` mentions, so the bound never cuts a valid message short.
 */
export const MENTIONED_MAX = TEXT_MAX_CODE_POINTS / 2;

/**
 * A stored message that mentions someone, as chat-service announces it durably (JetStream) for
 * notification-service: who was mentioned is decided once, by the publisher (parseMentions), and
 * the message id is the event's idempotency key.
 */
export const MentionEvent = Type.Object({
  room: RoomName,
  messageId: Type.String({ minLength: 1, maxLength: 64 }),
  seq: Seq,
  from: UserId,
  /** Distinct mentioned user ids in order of appearance, the sender excluded. */
  mentioned: Type.Array(UserId, { minItems: 1, maxItems: MENTIONED_MAX }),
  /** The message text: what the notification shows. */
  text: Type.String(),
  ts: Type.Integer({ minimum: 0 }),
});
export type MentionEvent = Static<typeof MentionEvent>;
