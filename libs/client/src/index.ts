/**
 * @relay/client: the one client for the Relay WebSocket protocol, for browsers and Node.
 * Named exports only, so bundlers drop what an application does not use.
 */
export { backoffDelay, DEFAULT_BACKOFF } from './backoff';
export { RelayError } from './errors';
export { RelayClient } from './relay-client';
export { RoomHandle } from './room-handle';
export { tokenExpiry } from './token';

export type { BackoffOptions } from './backoff';
export type { LocalErrorCode, RelayErrorCode, ServerErrorCode } from './errors';
export type {
  AuthedFrame,
  ChatMessage,
  ErrorFrame,
  HistoryServerFrame,
  IncomingFrame,
  JoinedFrame,
  MemberServerFrame,
  MessageServerFrame,
  Notification,
  NotificationServerFrame,
  OutgoingFrame,
  PresenceServerFrame,
  SentServerFrame,
  TypingEventFrame,
  WelcomeServerFrame,
} from './frames';
export type { RoomEvents } from './room-handle';
export type { SocketLike, WebSocketConstructor } from './socket';
export type { TokenProvider, TokenReason, TokenSource } from './token';
export type {
  ConnectionState,
  ConnectionStatus,
  GapInfo,
  HistoryOptions,
  JoinResult,
  RelayClientOptions,
  RelayEvents,
  RequestOptions,
  SendOptions,
  SentResult,
} from './types';
