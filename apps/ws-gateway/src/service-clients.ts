import {
  ChatHistory,
  ChatJoin,
  ChatSend,
  isContractError,
  NotifyAck,
  NotifyPending,
  PresenceHeartbeat,
  PresenceRoomMembers,
  PresenceSessionUpdate,
  PresenceSync,
  type ReplyData,
  type RequestData,
  type RequestDef,
} from '@relay/contracts';
import { type Bus } from '@relay/bus';
import { createBreaker, withRetry, type Breaker, type BreakerDeps } from '@relay/service-kit';

export interface ServiceClientsOptions {
  requestTimeoutMs: number;
  breakerResetMs: number;
}

type Call = () => Promise<unknown>;

/**
 * Fast retries for client-facing calls: only failures that are answered at once (nobody
 * subscribed yet, a dependency blip) are retried. A timeout has spent the caller's budget and
 * an open breaker already knows the answer, so neither is retried.
 */
const FAST_RETRY = {
  attempts: 3,
  baseDelayMs: 20,
  maxDelayMs: 40,
  isRetryable: (err: unknown) => isContractError(err) && (err.code === 'NO_RESPONDERS' || err.code === 'DEPENDENCY_DOWN'),
};
const retryFast = <T>(fn: () => Promise<T>): Promise<T> => withRetry(fn, FAST_RETRY);

/** Presence updates are idempotent by `v`, so they may be retried with backoff. */
const PRESENCE_RETRY = { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000 };

/**
 * Every call the gateway makes to a service: one opossum breaker per downstream (timeout
 * inside it), a NATS request through the typed Bus, and retries only where idempotent
 * (send is made idempotent by its clientMsgId, which the gateway always sets).
 */
export function createServiceClients(bus: Bus, opts: ServiceClientsOptions, deps: BreakerDeps) {
  const breaker = (name: string) =>
    createBreaker((call: Call) => call(), { name, timeoutMs: opts.requestTimeoutMs, resetTimeoutMs: opts.breakerResetMs }, deps);
  const chat = breaker('chat-service');
  const presence = breaker('presence-service');
  const notification = breaker('notification-service');

  const request = <D extends RequestDef>(b: Breaker<[Call], unknown>, def: D, data: RequestData<D>, correlationId?: string) =>
    b.call(() => bus.request(def, data, { timeoutMs: opts.requestTimeoutMs, correlationId })) as Promise<ReplyData<D>>;

  return {
    breakers: { chat, presence, notification },
    chatSend: (data: RequestData<typeof ChatSend>, cid?: string) => retryFast(() => request(chat, ChatSend, data, cid)),
    chatJoin: (data: RequestData<typeof ChatJoin>, cid?: string) => retryFast(() => request(chat, ChatJoin, data, cid)),
    chatHistory: (data: RequestData<typeof ChatHistory>, cid?: string) => retryFast(() => request(chat, ChatHistory, data, cid)),
    roomMembers: (data: RequestData<typeof PresenceRoomMembers>, cid?: string) =>
      retryFast(() => request(presence, PresenceRoomMembers, data, cid)),
    sessionUpdate: (data: RequestData<typeof PresenceSessionUpdate>, cid?: string) =>
      withRetry(() => request(presence, PresenceSessionUpdate, data, cid), PRESENCE_RETRY),
    heartbeat: (data: RequestData<typeof PresenceHeartbeat>) => request(presence, PresenceHeartbeat, data),
    sync: (data: RequestData<typeof PresenceSync>) => withRetry(() => request(presence, PresenceSync, data), PRESENCE_RETRY),
    notifyPending: (data: RequestData<typeof NotifyPending>, cid?: string) => retryFast(() => request(notification, NotifyPending, data, cid)),
    notifyAck: (data: RequestData<typeof NotifyAck>, cid?: string) => withRetry(() => request(notification, NotifyAck, data, cid), PRESENCE_RETRY),
  };
}

export type ServiceClients = ReturnType<typeof createServiceClients>;
