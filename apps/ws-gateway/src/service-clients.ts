/**
 * Every call the gateway makes to a service, with its retry preset: one opossum breaker per
 * downstream (timeout inside it), a NATS request through the typed Bus, retries only where
 * idempotent (send is made idempotent by its clientMsgId, which the gateway always sets). The
 * service kit's createServiceClient builds them (app.ts).
 */
import {
  ChatHistory,
  ChatJoin,
  ChatPositions,
  ChatSend,
  NotifyAck,
  NotifyPending,
  PresenceHeartbeat,
  PresenceRoomMembers,
  PresenceSessionUpdate,
  PresenceSync,
} from '@relay/contracts';
import type { ServiceClient } from '@relay/service-kit';

export const GATEWAY_CALLS = {
  chatSend: { def: ChatSend, retry: 'fast' },
  chatJoin: { def: ChatJoin, retry: 'fast' },
  chatHistory: { def: ChatHistory, retry: 'fast' },
  // The tail check simply asks again next round.
  chatPositions: { def: ChatPositions, retry: 'none' },
  roomMembers: { def: PresenceRoomMembers, retry: 'fast' },
  // Presence updates are idempotent by `v`; a heartbeat is simply sent again next interval.
  sessionUpdate: { def: PresenceSessionUpdate, retry: 'idempotent' },
  heartbeat: { def: PresenceHeartbeat, retry: 'none' },
  sync: { def: PresenceSync, retry: 'idempotent' },
  notifyPending: { def: NotifyPending, retry: 'fast' },
  // Acks remove by id: repeating one removes nothing more.
  notifyAck: { def: NotifyAck, retry: 'idempotent' },
} as const;

export type ServiceClients = ServiceClient<typeof GATEWAY_CALLS>;
