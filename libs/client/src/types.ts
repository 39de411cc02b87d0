/** The client's public option, result and event types, in one place for the docs and the .d.ts. */
import type { BackoffOptions } from './backoff';
import type { RelayError } from './errors';
import type { MemberServerFrame, MessageServerFrame, NotificationServerFrame, TypingEventFrame, WelcomeServerFrame } from './frames';
import type { WebSocketConstructor } from './socket';
import type { TokenSource } from './token';

export interface RelayClientOptions {
  /** One gateway URL (`wss://host/ws`) or several: the client rotates through them on failure. */
  url: string | string[];
  /** A JWT, or a function returning one; called for every connection attempt and before expiry. */
  token: TokenSource;
  /** WebSocket implementation; default `globalThis.WebSocket` (in Node 20: `import WebSocket from 'ws'`). */
  WebSocket?: WebSocketConstructor;
  /** `query` (default): `?token=`; `subprotocol`: `bearer.<JWT>` next to `relay.v1`, out of URLs and logs. */
  tokenTransport?: 'query' | 'subprotocol';
  /** Reply timeout for requests, in ms (default 10 000). Sends wait while offline; the timeout starts when written. */
  requestTimeoutMs?: number;
  /** No `welcome` within this time after opening a socket counts as a failed attempt (default 10 000). */
  connectTimeoutMs?: number;
  /** Reconnect backoff (full jitter): default base 500 ms, max 15 s. */
  backoff?: BackoffOptions;
  /** Sends waiting while disconnected before `send` fails with QUEUE_FULL (default 1 000). */
  maxQueuedSends?: number;
  /** Acknowledge each notification as soon as listeners ran (default true); false: call `ack(ids)`. */
  autoAck?: boolean;
  /** Refresh a token this long before its `exp` with an `auth` frame (default 60 000 ms). */
  refreshBeforeExpiryMs?: number;
  /** Closes the client when aborted. */
  signal?: AbortSignal;
  /** Random source for jitter (tests). */
  random?: () => number;
}

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ConnectionStatus {
  state: ConnectionState;
  /** Gateway URL in use or being tried. */
  url?: string;
  /** Gateway instance id from `welcome`, while open. */
  gateway?: string;
  /** Failed attempts since the last `welcome`. */
  attempt: number;
  /** While reconnecting: delay before the next attempt. */
  retryInMs?: number;
  /** While reconnecting: why the last attempt or connection ended; when closed by the server (4002): why. */
  error?: RelayError;
  /**
   * While reconnecting: the close code of the dropped connection, if it was open. In state
   * `closed`: 4002 when a backend disconnected the user (the client does not reconnect by itself).
   */
  closeCode?: number;
}

export interface RequestOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface SendOptions extends RequestOptions {
  /** Idempotency key; generated when absent. Reuse it to retry a send that timed out. */
  clientMsgId?: string;
}

export interface HistoryOptions extends RequestOptions {
  /** Exclusive upper bound: messages with seq < before. Latest when absent. */
  before?: number;
  /** 1..100, default 50. */
  limit?: number;
}

export interface JoinResult {
  room: string;
  /** The room's latest seq when joined. */
  seq: number;
  /**
   * Undefined for a first join; after a reconnect, true when every missed message is replayed
   * (they arrive as `message` events), false when not: page back with `history`.
   */
  recovered?: boolean;
  /** The room's epoch, when the gateway sends one. */
  epoch?: string;
  /** True when the room's history was reset since the last join (seq numbers started over). */
  epochChanged: boolean;
  /** True for the automatic join after a reconnect. */
  rejoin: boolean;
}

export interface SentResult {
  room: string;
  id: string;
  seq: number;
  ts: number;
  clientMsgId: string;
}

export interface GapInfo {
  room: string;
  /** First missing seq. */
  from: number;
  /** Last missing seq. */
  to: number;
}

export interface RelayEvents {
  state: [ConnectionStatus];
  welcome: [WelcomeServerFrame];
  joined: [JoinResult];
  message: [MessageServerFrame];
  gap: [GapInfo];
  member: [MemberServerFrame];
  typing: [TypingEventFrame];
  notification: [NotificationServerFrame];
  error: [RelayError];
}
