import { CLOSE_CODES, messageFrame, type JoinedServerFrame, type JoinFrame, type JoinRoomReply } from '@relay/contracts';
import type { Connection } from '../connection';
import { fromDownstream, gatewayError } from '../errors';
import { withRef, type FrameHandler, type GatewayContext } from './context';
import { requireRoomAccess } from './room-access';

/** How long a replay waits for the client to read one part before it sends the next. */
const REPLAY_DRAIN_TIMEOUT_MS = 10000;

/**
 * Join without a gap or a duplicate: the room is subscribed first (its live messages are
 * buffered for this connection), then ChatJoin gives the latest seq and, with `since`, the
 * missed messages; `joined` and the replay go out, then the buffer minus what was replayed.
 * When this gateway already follows the room and its stream is settled, a connection's first
 * join of it is answered here (localJoinReply) without asking chat-service.
 * Joins and leaves of one room on one connection run one after another (Connection.inRoomOrder).
 */
export const handleJoin: FrameHandler<JoinFrame> = async (ctx, { conn, correlationId }, frame) => {
  const { room } = frame;
  // Queued behind another join or leave of this room while the socket closed: nothing to do,
  // and registering the room now would outlive the connection.
  if (conn.isClosing) return;
  await requireRoomAccess(ctx, conn, room, 'read');
  if (conn.isClosing) return;
  const wasMember = conn.isMember(room);
  if (!wasMember && conn.rooms.size >= ctx.config.maxRoomsPerConnection) {
    throw gatewayError('GW_TOO_MANY_ROOMS', `a connection may join at most ${ctx.config.maxRoomsPerConnection} rooms`);
  }
  conn.beginJoin(room);
  if (!wasMember) ctx.rooms.addMember(room, conn);
  // A re-join of a room the connection is in may have been replayed past the stream's position
  // (a `since` join answered by chat-service): only chat-service's answer never goes backwards.
  let reply = wasMember ? undefined : localJoinReply(ctx.rooms.settledPosition(room), frame);
  ctx.metrics.joins.inc({ answered: reply ? 'gateway' : 'chat-service' });
  if (!reply) {
    try {
      const request: { room: string; cap: number; since?: number; epoch?: string } = { room, cap: ctx.config.recoveryCap };
      if (frame.since !== undefined) request.since = frame.since;
      if (frame.since !== undefined && frame.epoch !== undefined) request.epoch = frame.epoch;
      reply = await ctx.chatAdmission.run(() => ctx.services.chatJoin(request, correlationId));
    } catch (err) {
      if (conn.isClosing) forget(ctx, conn, room);
      else {
        conn.abortJoin(room, wasMember);
        if (!wasMember) ctx.rooms.removeMember(room, conn);
      }
      throw fromDownstream(err, 'chat');
    }
  }
  if (conn.isClosing) return forget(ctx, conn, room);
  ctx.rooms.anchor(room, reply.seq, reply.epoch);
  const joined: JoinedServerFrame = { type: 'joined', room, seq: reply.seq };
  if (reply.recovered !== undefined) joined.recovered = reply.recovered;
  if (reply.epoch !== undefined) joined.epoch = reply.epoch;
  conn.sendFrame(withRef(joined, frame.ref));
  const lastSeq = await replay(ctx, conn, room, reply, correlationId);
  if (lastSeq === undefined) return forget(ctx, conn, room);
  conn.finishJoin(room, lastSeq, reply.epoch);
  if (!wasMember) ctx.presence.join(conn.session, room, correlationId);
};

/**
 * Sends the replay, asking for the rest while a part says `more` (a replay too large for one
 * NATS message). Between parts it waits for the client to read what was sent, so a large
 * recovery never passes the outbound hard limit by itself. Returns the last seq sent, or
 * undefined when the connection is gone (or was closed because the replay could not finish).
 */
async function replay(ctx: GatewayContext, conn: Connection, room: string, first: JoinRoomReply, correlationId: string): Promise<number | undefined> {
  let reply = first;
  let lastSeq = first.seq;
  for (;;) {
    for (const m of reply.messages) {
      conn.sendFrame(messageFrame(m));
      lastSeq = Math.max(lastSeq, m.seq);
    }
    if (!reply.more) return lastSeq;
    const since = reply.messages.at(-1)?.seq;
    let failure: unknown;
    if (since === undefined) failure = 'a part said more but carried no message';
    else if (!(await conn.whenDrained(REPLAY_DRAIN_TIMEOUT_MS))) return undefined;
    else {
      try {
        reply = await ctx.services.chatJoin({ room, cap: ctx.config.recoveryCap, since, ...(first.epoch !== undefined ? { epoch: first.epoch } : {}) }, correlationId);
        if (reply.recovered !== true) failure = 'the rest of the replay is no longer recoverable';
      } catch (err) {
        failure = err;
      }
    }
    if (conn.isClosing) return undefined;
    if (failure !== undefined) {
      // `joined` is out and part of the replay too: a gap now would be silent. Closing with
      // 1011 makes the client reconnect and join with `since`, which loses nothing.
      ctx.logger.warn({ err: failure, room, since, correlationId }, 'replay part failed: closing with 1011');
      conn.close(CLOSE_CODES.INTERNAL, 'recovery interrupted, reconnect');
      return undefined;
    }
  }
}

/**
 * The join answered from the room's settled stream position on this gateway: the last seq every
 * local member has been given, so the new member continues exactly where they are (a message
 * stored but not yet arrived comes live, as it does to them). Only without `since`, or with a
 * `since` at that position in the same epoch (nothing to replay). A replay, a client ahead of this
 * gateway, another epoch, or a room this gateway does not follow yet asks chat-service.
 */
function localJoinReply(position: { epoch?: string; seq: number } | undefined, frame: JoinFrame): JoinRoomReply | undefined {
  if (!position) return undefined;
  const { seq, epoch } = position;
  const reply: JoinRoomReply = { seq, messages: [] };
  if (epoch !== undefined) reply.epoch = epoch;
  if (frame.since === undefined) return reply;
  // As chat-service decides: an epoch the client names must be the room's; without one, `since` alone counts.
  if (frame.since !== seq || (frame.epoch !== undefined && frame.epoch !== epoch)) return undefined;
  reply.recovered = true;
  return reply;
}

/** A connection that closed during its join: drop what the join registered. */
function forget(ctx: GatewayContext, conn: Connection, room: string): void {
  conn.rooms.delete(room);
  ctx.rooms.removeMember(room, conn);
}
