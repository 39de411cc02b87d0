/**
 * The protocol frames the client speaks. Everything v1 defines comes from the contracts, type-only,
 * so no runtime code of the contracts enters the client bundle. The "v1 additions" (token refresh,
 * notification ack, room epochs, FORBIDDEN, retryAfterMs) are written here as extensions of those
 * types until the contracts carry them; they are additive, so old gateways simply never send them.
 */
import type {
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
import type { ServerErrorCode } from './errors';

export type {
  HistoryServerFrame,
  MemberServerFrame,
  MessageServerFrame,
  NotificationServerFrame,
  PresenceServerFrame,
  SentServerFrame,
  WelcomeServerFrame,
};

/** `joined`, with the room epoch of v1 additions (changes when a room's history was reset). */
export type JoinedFrame = JoinedServerFrame & { epoch?: string };
/** `error`, with the v1 additions: FORBIDDEN and `retryAfterMs` on overload. */
export type ErrorFrame = { type: 'error'; ref?: string; code: ServerErrorCode; message: string; retryAfterMs?: number };
/** Token refresh reply (v1 additions). */
export type AuthedFrame = { type: 'authed'; ref?: string; exp?: number };
export type TypingEventFrame = { type: 'typing'; room: string; user: string };

/** Every frame a gateway may send, v1 additions included. */
export type IncomingFrame = Exclude<ServerFrame, { type: 'joined' | 'error' }> | JoinedFrame | ErrorFrame | AuthedFrame;

/** A stored chat message as delivered (a `message` frame). */
export type ChatMessage = Omit<MessageServerFrame, 'type'>;
export type Notification = Omit<NotificationServerFrame, 'type'>;

/** Client-to-server frames, v1 additions included (`auth`, `ack`, `epoch` on join). */
export type OutgoingFrame =
  | { type: 'join'; ref?: string; room: string; since?: number; epoch?: string }
  | { type: 'leave'; ref?: string; room: string }
  | { type: 'send'; ref?: string; room: string; text: string; clientMsgId?: string }
  | { type: 'history'; ref?: string; room: string; before?: number; limit?: number }
  | { type: 'presence'; ref?: string; room: string }
  | { type: 'typing'; ref?: string; room: string }
  | { type: 'ping'; ref?: string }
  | { type: 'auth'; ref?: string; token: string }
  | { type: 'ack'; ref?: string; ids: string[] };
