/**
 * The protocol frames the client speaks, all taken from the contracts type-only, so no runtime code
 * of the contracts (TypeBox schemas) enters the client bundle. The names below are the client's
 * public type names; they alias the contracts' frames so the two can never drift apart.
 */
import type {
  AuthedServerFrame,
  ClientFrame,
  ErrorServerFrame,
  HistoryServerFrame,
  JoinedServerFrame,
  MemberServerFrame,
  MessageServerFrame,
  NotificationServerFrame,
  PresenceServerFrame,
  SentServerFrame,
  ServerFrame,
  WelcomeServerFrame,
} from '@relay/contracts';

export type {
  HistoryServerFrame,
  MemberServerFrame,
  MessageServerFrame,
  NotificationServerFrame,
  PresenceServerFrame,
  SentServerFrame,
  WelcomeServerFrame,
};

/** `joined`, with the room epoch (changes when a room's history was reset). */
export type JoinedFrame = JoinedServerFrame;
/** `error`: a code of the contracts (FORBIDDEN, UNAUTHORIZED included) and `retryAfterMs` on overload. */
export type ErrorFrame = ErrorServerFrame;
/** Token refresh reply. */
export type AuthedFrame = AuthedServerFrame;
export type TypingEventFrame = Extract<ServerFrame, { type: 'typing' }>;

/** Every frame a gateway may send. */
export type IncomingFrame = ServerFrame;

/** A stored chat message as delivered (a `message` frame). */
export type ChatMessage = Omit<MessageServerFrame, 'type'>;
export type Notification = Omit<NotificationServerFrame, 'type'>;

/** Client-to-server frames (`auth`, `ack`, `epoch` on join included). */
export type OutgoingFrame = ClientFrame;
