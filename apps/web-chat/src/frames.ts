/**
 * The protocol's frame types, taken from the contracts (type-only: nothing of the contracts'
 * runtime ends up in the browser bundle).
 */
import type { ClientFrame, MessageServerFrame } from '@relay/contracts';

export type {
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

/** A stored chat message as the page keeps it (a `message` frame without its type). */
export type ChatMessage = Omit<MessageServerFrame, 'type'>;

/** Client frames without `ref`: the protocol client adds one. */
export type RequestFrame = Exclude<ClientFrame, { type: 'typing' }>;
