import * as chat from './schemas/chat';
import * as gateway from './schemas/gateway';
import * as notification from './schemas/notification';
import * as presence from './schemas/presence';
import { defineEvent, defineRequest } from './catalog-types';

/**
 * The catalog: every NATS subject of the platform, paired with its payload schema.
 * Nothing publishes, subscribes or requests on a subject that is not listed here.
 */

// --- chat-service -----------------------------------------------------------------------
export const ChatSend = defineRequest({
  subject: 'chat.v1.send',
  type: 'chat.send',
  version: 1,
  request: chat.SendMessageRequest,
  reply: chat.SendMessageReply,
  queue: 'chat-service',
  requesters: ['ws-gateway', 'api'],
});

export const ChatHistory = defineRequest({
  subject: 'chat.v1.history',
  type: 'chat.history',
  version: 1,
  request: chat.HistoryRequest,
  reply: chat.HistoryReply,
  queue: 'chat-service',
  requesters: ['ws-gateway', 'api'],
});

export const ChatPositions = defineRequest({
  subject: 'chat.v1.positions',
  type: 'chat.positions',
  version: 1,
  request: chat.RoomPositionsRequest,
  reply: chat.RoomPositionsReply,
  queue: 'chat-service',
  requesters: ['ws-gateway'],
});

export const ChatJoin = defineRequest({
  subject: 'chat.v1.join',
  type: 'chat.join',
  version: 1,
  request: chat.JoinRoomRequest,
  reply: chat.JoinRoomReply,
  queue: 'chat-service',
  requesters: ['ws-gateway'],
});

/** Published once per stored message, after it is durable. */
export const RoomMessage = defineEvent({
  subject: 'chat.v1.room.{room}.message',
  type: 'chat.message',
  version: 1,
  schema: chat.ChatMessage,
  publishers: ['chat-service'],
  subscribers: ['ws-gateway'],
});

/**
 * A stored message that mentions someone. Captured by the CHAT_MENTIONS stream (streams.ts) and
 * read only through its durable consumer, so nobody subscribes to the subject itself.
 */
export const RoomMention = defineEvent({
  subject: 'chat.v1.room.{room}.mention',
  type: 'chat.mention',
  version: 1,
  schema: chat.MentionEvent,
  publishers: ['chat-service'],
  subscribers: [],
});

/** Ephemeral typing indicator, gateway to gateways. */
export const RoomTyping = defineEvent({
  subject: 'chat.v1.room.{room}.typing',
  type: 'chat.typing',
  version: 1,
  schema: chat.TypingEvent,
  publishers: ['ws-gateway'],
  subscribers: ['ws-gateway'],
});

/** A user's first connection joined the room or the last one left (presence-service decides). */
export const RoomMember = defineEvent({
  subject: 'chat.v1.room.{room}.member',
  type: 'chat.member',
  version: 1,
  schema: presence.MemberEvent,
  publishers: ['presence-service'],
  subscribers: ['ws-gateway'],
});

// --- presence-service -------------------------------------------------------------------
export const PresenceSessionUpdate = defineRequest({
  subject: 'presence.v1.session',
  type: 'presence.session',
  version: 1,
  request: presence.SessionUpdate,
  reply: presence.SessionUpdateReply,
  queue: 'presence-service',
  requesters: ['ws-gateway'],
});

export const PresenceHeartbeat = defineRequest({
  subject: 'presence.v1.heartbeat',
  type: 'presence.heartbeat',
  version: 1,
  request: presence.GatewayHeartbeat,
  reply: presence.GatewayHeartbeatReply,
  queue: 'presence-service',
  requesters: ['ws-gateway'],
});

export const PresenceSync = defineRequest({
  subject: 'presence.v1.sync',
  type: 'presence.sync',
  version: 1,
  request: presence.GatewaySnapshot,
  reply: presence.GatewaySnapshotReply,
  queue: 'presence-service',
  requesters: ['ws-gateway'],
});

export const PresenceRoomMembers = defineRequest({
  subject: 'presence.v1.members',
  type: 'presence.members',
  version: 1,
  request: presence.RoomMembersRequest,
  reply: presence.RoomMembersReply,
  queue: 'presence-service',
  requesters: ['ws-gateway', 'api'],
});

export const PresenceOnline = defineRequest({
  subject: 'presence.v1.online',
  type: 'presence.online',
  version: 1,
  request: presence.OnlineRequest,
  reply: presence.OnlineReply,
  queue: 'presence-service',
  requesters: ['notification-service', 'api'],
});

/** Every online user, in pages (the api's "list online users"). */
export const PresenceOnlineUsers = defineRequest({
  subject: 'presence.v1.online-users',
  type: 'presence.online-users',
  version: 1,
  request: presence.OnlineUsersRequest,
  reply: presence.OnlineUsersReply,
  queue: 'presence-service',
  requesters: ['api'],
});

/** Also captured by the PRESENCE_EVENTS stream (streams.ts), for backends that must not miss one. */
export const UserOnline = defineEvent({
  subject: 'presence.v1.user.online',
  type: 'presence.user-online',
  version: 1,
  schema: presence.UserLifecycleEvent,
  publishers: ['presence-service'],
  subscribers: ['notification-service'],
});

export const UserOffline = defineEvent({
  subject: 'presence.v1.user.offline',
  type: 'presence.user-offline',
  version: 1,
  schema: presence.UserLifecycleEvent,
  publishers: ['presence-service'],
  subscribers: ['notification-service'],
});

// --- notification-service ---------------------------------------------------------------
export const NotifySend = defineRequest({
  subject: 'notify.v1.send',
  type: 'notify.send',
  version: 1,
  request: notification.SendNotificationRequest,
  reply: notification.SendNotificationReply,
  queue: 'notification-service',
  requesters: ['app-backend', 'api'],
});

export const NotifyPending = defineRequest({
  subject: 'notify.v1.pending',
  type: 'notify.pending',
  version: 1,
  request: notification.PendingNotificationsRequest,
  reply: notification.PendingNotificationsReply,
  queue: 'notification-service',
  requesters: ['ws-gateway'],
});

export const NotifyAck = defineRequest({
  subject: 'notify.v1.ack',
  type: 'notify.ack',
  version: 1,
  request: notification.AckNotificationsRequest,
  reply: notification.AckNotificationsReply,
  queue: 'notification-service',
  requesters: ['ws-gateway'],
});

/** To the gateways where the user has a live connection (they subscribe per user). */
export const UserNotification = defineEvent({
  subject: 'user.v1.{user}.notification',
  type: 'notify.notification',
  version: 1,
  schema: notification.Notification,
  publishers: ['notification-service'],
  subscribers: ['ws-gateway'],
});

// --- ws-gateway control ---------------------------------------------------------------------
/**
 * Close a user's connections on every gateway (published by the api; every gateway subscribes,
 * no queue group, and closes its own connections of that user with 4002).
 */
export const GatewayDisconnectUser = defineEvent({
  subject: 'gateway.v1.user.disconnect',
  type: 'gateway.user-disconnect',
  version: 1,
  schema: gateway.DisconnectUser,
  publishers: ['api'],
  subscribers: ['ws-gateway'],
});
