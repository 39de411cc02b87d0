import { Type, type Static } from '@sinclair/typebox';
import { HISTORY_MAX_LIMIT, type ChatMessage } from './schemas/chat';
import { RoomName, UserId } from './names';

/**
 * The client protocol (WebSocket, JSON text frames), shared by the gateway, the clients and
 * the tests. Names and fields here are a public contract: extend, never rename.
 */

const Ref = Type.Optional(Type.String({ maxLength: 64 }));
/**
 * A W3C trace context (`00-<trace id>-<parent id>-<flags>`) a client may send on any frame: the
 * gateway's span for the frame becomes a child of the client's span, so the client's trace goes on
 * through every service. Ignored when the gateway does not trace.
 */
const TraceParent = Type.Optional(Type.String({ pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$', maxLength: 55 }));
/** A room's store generation: changes when its history was reset or replaced (seqs start over). */
const Epoch = Type.String({ minLength: 1, maxLength: 64 });

export const JoinFrame = Type.Object({
  type: Type.Literal('join'),
  ref: Ref,
  traceparent: TraceParent,
  room: RoomName,
  since: Type.Optional(Type.Integer({ minimum: 0 })),
  /** The room's epoch the client's `since` belongs to; a different current epoch means `recovered:false`. */
  epoch: Type.Optional(Epoch),
});
export const LeaveFrame = Type.Object({ type: Type.Literal('leave'), ref: Ref, traceparent: TraceParent, room: RoomName });
export const SendFrame = Type.Object({
  type: Type.Literal('send'),
  ref: Ref,
  traceparent: TraceParent,
  room: RoomName,
  text: Type.String(),
  clientMsgId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
});
export const HistoryFrame = Type.Object({
  type: Type.Literal('history'),
  ref: Ref,
  traceparent: TraceParent,
  room: RoomName,
  before: Type.Optional(Type.Integer({ minimum: 1 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: HISTORY_MAX_LIMIT })),
});
export const PresenceFrame = Type.Object({ type: Type.Literal('presence'), ref: Ref, traceparent: TraceParent, room: RoomName });
export const TypingFrame = Type.Object({ type: Type.Literal('typing'), ref: Ref, traceparent: TraceParent, room: RoomName });
export const PingFrame = Type.Object({ type: Type.Literal('ping'), ref: Ref, traceparent: TraceParent });
/** Token refresh on an open socket: the new token must carry the same `sub`. */
export const AuthFrame = Type.Object({ type: Type.Literal('auth'), ref: Ref, traceparent: TraceParent, token: Type.String({ minLength: 1, maxLength: 8192 }) });
/** At most this many ids per `ack` frame (about 15 KiB of ULIDs: within the 16 KiB frame limit). */
export const ACK_MAX_IDS = 500;
/** The client has these notifications: they stop being pending. No reply. */
export const AckFrame = Type.Object({
  type: Type.Literal('ack'),
  ref: Ref,
  traceparent: TraceParent,
  ids: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: ACK_MAX_IDS }),
});

export type JoinFrame = Static<typeof JoinFrame>;
export type LeaveFrame = Static<typeof LeaveFrame>;
export type SendFrame = Static<typeof SendFrame>;
export type HistoryFrame = Static<typeof HistoryFrame>;
export type PresenceFrame = Static<typeof PresenceFrame>;
export type TypingFrame = Static<typeof TypingFrame>;
export type PingFrame = Static<typeof PingFrame>;
export type AuthFrame = Static<typeof AuthFrame>;
export type AckFrame = Static<typeof AckFrame>;

/** Client-to-server frames by `type`: the gateway picks the schema by type, then validates. */
export const ClientFrames = {
  join: JoinFrame,
  leave: LeaveFrame,
  send: SendFrame,
  history: HistoryFrame,
  presence: PresenceFrame,
  typing: TypingFrame,
  ping: PingFrame,
  auth: AuthFrame,
  ack: AckFrame,
} as const;
export type ClientFrameType = keyof typeof ClientFrames;
export type ClientFrame = { [K in ClientFrameType]: Static<(typeof ClientFrames)[K]> }[ClientFrameType];

// --- server to client ---------------------------------------------------------------------
export const CLIENT_ERROR_CODES = ['BAD_REQUEST', 'NOT_JOINED', 'RATE_LIMITED', 'SERVICE_UNAVAILABLE', 'INTERNAL', 'FORBIDDEN', 'UNAUTHORIZED'] as const;
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];

export const CLOSE_CODES = {
  /** Gateway shutting down: reconnect to another instance. */
  GOING_AWAY_RESTART: 1012,
  /** A frame larger than the frame limit. */
  TOO_BIG: 1009,
  /** A binary frame: the protocol is JSON text only. */
  UNSUPPORTED_DATA: 1003,
  /** Policy breach: a slow consumer whose outbound buffer passed the hard limit. */
  POLICY: 1008,
  /** Unexpected server error. */
  INTERNAL: 1011,
  /** The connection's token expired and was not refreshed: get a new token, reconnect with `since`. */
  TOKEN_EXPIRED: 4001,
  /**
   * A backend disconnected the user (server API): the client does not reconnect by itself; the
   * application decides (sign the user out, or connect again with a fresh token).
   */
  DISCONNECTED_BY_SERVER: 4002,
} as const;

const ChatMessageFields = {
  room: RoomName,
  id: Type.String(),
  seq: Type.Integer(),
  from: UserId,
  text: Type.String(),
  ts: Type.Integer(),
  epoch: Type.Optional(Type.String()),
};

export const WelcomeServerFrame = Type.Object({
  type: Type.Literal('welcome'),
  user: UserId,
  session: Type.String(),
  gateway: Type.String(),
});
export const JoinedServerFrame = Type.Object({
  type: Type.Literal('joined'),
  ref: Ref,
  room: RoomName,
  seq: Type.Integer({ minimum: 0 }),
  recovered: Type.Optional(Type.Boolean()),
  epoch: Type.Optional(Type.String()),
});
export const LeftServerFrame = Type.Object({ type: Type.Literal('left'), ref: Ref, room: RoomName });
export const SentServerFrame = Type.Object({
  type: Type.Literal('sent'),
  ref: Ref,
  room: RoomName,
  id: Type.String(),
  seq: Type.Integer(),
  ts: Type.Integer(),
});
export const MessageServerFrame = Type.Object({ type: Type.Literal('message'), ...ChatMessageFields });
export const HistoryServerFrame = Type.Object({
  type: Type.Literal('history'),
  ref: Ref,
  room: RoomName,
  messages: Type.Array(Type.Object(ChatMessageFields)),
});
export const PresenceServerFrame = Type.Object({
  type: Type.Literal('presence'),
  ref: Ref,
  room: RoomName,
  users: Type.Array(UserId),
});
export const TypingServerFrame = Type.Object({ type: Type.Literal('typing'), room: RoomName, user: UserId });
export const MemberServerFrame = Type.Object({
  type: Type.Literal('member'),
  room: RoomName,
  user: UserId,
  event: Type.Union([Type.Literal('join'), Type.Literal('leave')]),
});
export const NotificationServerFrame = Type.Object({
  type: Type.Literal('notification'),
  id: Type.String(),
  kind: Type.String(),
  from: Type.Optional(UserId),
  room: Type.Optional(RoomName),
  text: Type.String(),
  ts: Type.Integer(),
  data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export const PongServerFrame = Type.Object({ type: Type.Literal('pong'), ref: Ref });
/** The answer to `auth`: the connection now lives until the new token's `exp` (seconds). */
export const AuthedServerFrame = Type.Object({ type: Type.Literal('authed'), ref: Ref, exp: Type.Number() });
export const ErrorServerFrame = Type.Object({
  type: Type.Literal('error'),
  ref: Ref,
  code: Type.Union(CLIENT_ERROR_CODES.map((c) => Type.Literal(c))),
  message: Type.String(),
  /** With SERVICE_UNAVAILABLE when the request was refused because the system is past capacity. */
  retryAfterMs: Type.Optional(Type.Integer({ minimum: 0 })),
});

export const ServerFrame = Type.Union([
  WelcomeServerFrame,
  JoinedServerFrame,
  LeftServerFrame,
  SentServerFrame,
  MessageServerFrame,
  HistoryServerFrame,
  PresenceServerFrame,
  TypingServerFrame,
  MemberServerFrame,
  NotificationServerFrame,
  PongServerFrame,
  AuthedServerFrame,
  ErrorServerFrame,
]);
export type ServerFrame = Static<typeof ServerFrame>;
export type WelcomeServerFrame = Static<typeof WelcomeServerFrame>;
export type JoinedServerFrame = Static<typeof JoinedServerFrame>;
export type SentServerFrame = Static<typeof SentServerFrame>;
export type MessageServerFrame = Static<typeof MessageServerFrame>;
export type HistoryServerFrame = Static<typeof HistoryServerFrame>;
export type PresenceServerFrame = Static<typeof PresenceServerFrame>;
export type MemberServerFrame = Static<typeof MemberServerFrame>;
export type NotificationServerFrame = Static<typeof NotificationServerFrame>;
export type ErrorServerFrame = Static<typeof ErrorServerFrame>;
export type AuthedServerFrame = Static<typeof AuthedServerFrame>;

/**
 * The `message` frame of a stored message: its fields picked one by one, so nothing else a
 * message object may carry reaches a client, and in the same order everywhere (live fan-out,
 * join replay).
 */
export function messageFrame(m: ChatMessage): MessageServerFrame {
  const frame: MessageServerFrame = { type: 'message', room: m.room, id: m.id, seq: m.seq, from: m.from, text: m.text, ts: m.ts };
  if (m.epoch !== undefined) frame.epoch = m.epoch;
  return frame;
}

/** A room rule in a token: an exact room name, or a prefix ending in `*` (`team-*`; `*` alone is every room). */
export const ROOM_PATTERN = '^[A-Za-z0-9_-]{0,64}\\*?$';
export const RoomGrant = Type.Union([Type.Literal('read'), Type.Literal('write')]);
export type RoomGrant = Static<typeof RoomGrant>;

/**
 * JWT claims the gateway accepts. `sub` is a user id (UserId: it enters subjects only
 * encoded); `exp` is required (a token that never expires is refused). `rooms` grants access to
 * private rooms: pattern -> `read` (join, history, presence) or `write` (also send and typing).
 * `aud`, `iss` and `nbf` are checked by the verifier when the deployment configures them.
 */
export const TokenClaims = Type.Object({
  sub: UserId,
  name: Type.Optional(Type.String({ maxLength: 128 })),
  exp: Type.Number(),
  nbf: Type.Optional(Type.Number()),
  iss: Type.Optional(Type.String()),
  aud: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
  rooms: Type.Optional(Type.Record(Type.String({ pattern: ROOM_PATTERN }), RoomGrant, { maxProperties: 256, additionalProperties: false })),
});
export type TokenClaims = Static<typeof TokenClaims>;
