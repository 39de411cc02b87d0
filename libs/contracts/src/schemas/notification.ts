import { Type, type Static } from '@sinclair/typebox';
import { RoomName, UserId } from '../names';

const Kind = Type.String({ pattern: '^[a-z][a-z0-9_.-]{0,31}$', description: 'notification kind, e.g. mention' });

export const Notification = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  kind: Kind,
  user: UserId,
  from: Type.Optional(UserId),
  room: Type.Optional(RoomName),
  text: Type.String({ maxLength: 8000 }),
  ts: Type.Integer({ minimum: 0 }),
  data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export type Notification = Static<typeof Notification>;

/** The API any service uses to notify a user. */
export const SendNotificationRequest = Type.Object({
  user: UserId,
  kind: Kind,
  from: Type.Optional(UserId),
  room: Type.Optional(RoomName),
  text: Type.String({ minLength: 1, maxLength: 8000 }),
  data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  /** Makes the call idempotent: the same key for the same user returns the same notification id. */
  idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
});
export type SendNotificationRequest = Static<typeof SendNotificationRequest>;

export const SendNotificationReply = Type.Object({
  id: Type.String(),
  delivered: Type.Union([Type.Literal('live'), Type.Literal('stored')]),
});
export type SendNotificationReply = Static<typeof SendNotificationReply>;

export const PendingNotificationsRequest = Type.Object({
  user: UserId,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  /**
   * How many of the oldest pending ones to skip: the next part of a backlog, since the ones
   * delivered stay pending until the client acknowledges them. Acks that land meanwhile shift
   * the window, so a later part may skip some: they stay pending for the next connection.
   */
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000000 })),
});
export type PendingNotificationsRequest = Static<typeof PendingNotificationsRequest>;

export const PendingNotificationsReply = Type.Object({
  notifications: Type.Array(Notification),
  /** More are pending than fit in one NATS message (or the limit): ask again with `offset` past these. */
  more: Type.Optional(Type.Boolean()),
});
export type PendingNotificationsReply = Static<typeof PendingNotificationsReply>;

/** A gateway passes on a client's acknowledgement: the user has these notifications. */
export const AckNotificationsRequest = Type.Object({
  user: UserId,
  ids: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 1000 }),
});
export type AckNotificationsRequest = Static<typeof AckNotificationsRequest>;

export const AckNotificationsReply = Type.Object({ removed: Type.Integer({ minimum: 0 }) });
export type AckNotificationsReply = Static<typeof AckNotificationsReply>;
