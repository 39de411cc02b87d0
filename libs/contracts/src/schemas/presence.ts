import { Type, type Static } from '@sinclair/typebox';
import { OpaqueId, RoomName, UserId } from '../names';

/**
 * A change of one session on one gateway. `v` increases per gateway incarnation with every
 * change, so the presence-service can apply updates idempotently and in any order.
 */
export const SessionUpdate = Type.Object({
  gateway: OpaqueId,
  incarnation: OpaqueId,
  v: Type.Integer({ minimum: 1 }),
  session: OpaqueId,
  user: UserId,
  op: Type.Union([Type.Literal('open'), Type.Literal('close'), Type.Literal('join'), Type.Literal('leave')]),
  room: Type.Optional(RoomName),
  at: Type.Integer({ minimum: 0 }),
});
export type SessionUpdate = Static<typeof SessionUpdate>;

export const SessionUpdateReply = Type.Object({ applied: Type.Boolean() });
export type SessionUpdateReply = Static<typeof SessionUpdateReply>;

/** A gateway's lease renewal. The counts let presence-service detect lost updates. */
export const GatewayHeartbeat = Type.Object({
  gateway: OpaqueId,
  incarnation: OpaqueId,
  v: Type.Integer({ minimum: 0 }),
  sessions: Type.Integer({ minimum: 0 }),
  memberships: Type.Integer({ minimum: 0 }),
  at: Type.Integer({ minimum: 0 }),
});
export type GatewayHeartbeat = Static<typeof GatewayHeartbeat>;

export const GatewayHeartbeatReply = Type.Object({
  /** Presence-service wants a full snapshot (it lost updates, restarted on empty state, or the lease had expired). */
  resync: Type.Boolean(),
  leaseMs: Type.Integer({ minimum: 1 }),
});
export type GatewayHeartbeatReply = Static<typeof GatewayHeartbeatReply>;

export const SessionSnapshot = Type.Object({
  session: OpaqueId,
  user: UserId,
  connectedAt: Type.Integer({ minimum: 0 }),
  rooms: Type.Array(RoomName),
});
export type SessionSnapshot = Static<typeof SessionSnapshot>;

/**
 * One part of a snapshot that is too large for one NATS message: parts share `id`; the
 * snapshot applies once all `count` parts have arrived.
 */
export const SnapshotChunk = Type.Object({
  id: OpaqueId,
  index: Type.Integer({ minimum: 0 }),
  count: Type.Integer({ minimum: 1, maximum: 10000 }),
});
export type SnapshotChunk = Static<typeof SnapshotChunk>;

/** Everything a gateway holds, replacing what presence-service knows of it. */
export const GatewaySnapshot = Type.Object({
  gateway: OpaqueId,
  incarnation: OpaqueId,
  v: Type.Integer({ minimum: 0 }),
  sessions: Type.Array(SessionSnapshot),
  at: Type.Integer({ minimum: 0 }),
  /** Absent: the whole snapshot is in this message. */
  chunk: Type.Optional(SnapshotChunk),
});
export type GatewaySnapshot = Static<typeof GatewaySnapshot>;

export const GatewaySnapshotReply = Type.Object({ sessions: Type.Integer(), memberships: Type.Integer() });
export type GatewaySnapshotReply = Static<typeof GatewaySnapshotReply>;

/**
 * Who is in a room. A large room is listed in pages (one reply must fit a NATS message):
 * send the `cursor` of the previous reply to get the next page; absent for the first page.
 */
export const RoomMembersRequest = Type.Object({
  room: RoomName,
  /** Opaque: the `cursor` of the previous reply, unchanged. Absent (or '0'): the first page. */
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});
export type RoomMembersRequest = Static<typeof RoomMembersRequest>;

/**
 * One page of a room's members. `cursor` present and not '0': there are more pages, ask again
 * with it; absent or '0': this was the last (a room that fits one reply has no cursor).
 * Pages may repeat a user (a member listed once per page at most, but possibly on two pages):
 * merge them into a set. `count` is the room's member count when the page was read.
 */
export const RoomMembersReply = Type.Object({
  users: Type.Array(UserId),
  count: Type.Integer({ minimum: 0 }),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});
export type RoomMembersReply = Static<typeof RoomMembersReply>;

export const OnlineRequest = Type.Object({ users: Type.Array(UserId, { minItems: 1, maxItems: 1000 }) });
export type OnlineRequest = Static<typeof OnlineRequest>;

export const OnlineReply = Type.Object({ online: Type.Array(UserId) });
export type OnlineReply = Static<typeof OnlineReply>;

/**
 * Every user with at least one live connection, in pages (one reply must fit a NATS message):
 * send the `cursor` of the previous reply to get the next page; absent for the first page.
 */
export const OnlineUsersRequest = Type.Object({
  /** Opaque: the `cursor` of the previous reply, unchanged. Absent (or '0'): the first page. */
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});
export type OnlineUsersRequest = Static<typeof OnlineUsersRequest>;

/**
 * One page of the online users, with the same paging rules as RoomMembersReply: `cursor`
 * present and not '0' means more pages; a user may appear on two pages (merge into a set);
 * `count` is the number of online users when the page was read.
 */
export const OnlineUsersReply = Type.Object({
  users: Type.Array(UserId),
  count: Type.Integer({ minimum: 0 }),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});
export type OnlineUsersReply = Static<typeof OnlineUsersReply>;

/** Published on a room subject when a user's first connection joins it or the last one leaves. */
export const MemberEvent = Type.Object({
  room: RoomName,
  user: UserId,
  event: Type.Union([Type.Literal('join'), Type.Literal('leave')]),
});
export type MemberEvent = Static<typeof MemberEvent>;

/** For backend services: a user's first session opened or last one closed (or its gateway died). */
export const UserLifecycleEvent = Type.Object({
  user: UserId,
  at: Type.Integer({ minimum: 0 }),
  reason: Type.Union([
    Type.Literal('connect'),
    Type.Literal('disconnect'),
    Type.Literal('gateway-expired'),
    Type.Literal('resync'),
  ]),
});
export type UserLifecycleEvent = Static<typeof UserLifecycleEvent>;
