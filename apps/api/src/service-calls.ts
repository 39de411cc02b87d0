/**
 * Every call the api makes to a service, with its retry preset (the service kit builds the
 * breakers). Writes are retried only because they carry an idempotency key: a send's
 * clientMsgId, a notification's idempotencyKey.
 */
import { ChatHistory, ChatSend, NotifySend, PresenceOnline, PresenceOnlineUsers, PresenceRoomMembers } from '@relay/contracts';
import type { ServiceClient } from '@relay/service-kit';

export const API_CALLS = {
  chatSend: { def: ChatSend, retry: 'fast' },
  chatHistory: { def: ChatHistory, retry: 'fast' },
  roomMembers: { def: PresenceRoomMembers, retry: 'fast' },
  online: { def: PresenceOnline, retry: 'fast' },
  onlineUsers: { def: PresenceOnlineUsers, retry: 'fast' },
  notifySend: { def: NotifySend, retry: 'idempotent' },
} as const;

export type ApiClients = ServiceClient<typeof API_CALLS>;
