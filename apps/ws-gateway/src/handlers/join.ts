import { CLOSE_CODES, type JoinFrame } from '@relay/contracts';
import { fromDownstream, gatewayError } from '../errors';
import { withRef, type FrameHandler } from './context';

/**
 * Join without a gap or a duplicate: the room is subscribed first (its live messages are
 * buffered for this connection), then ChatJoin gives the latest seq and, with `since`, the
 * missed messages; `joined` and the replay go out, then the buffer minus what was replayed.
 */
export const handleJoin: FrameHandler<JoinFrame> = async (ctx, { conn, correlationId }, frame) => {
  const { room } = frame;
  const wasMember = conn.isMember(room);
  if (!wasMember && conn.rooms.size >= ctx.config.maxRoomsPerConnection) {
    throw gatewayError('GW_TOO_MANY_ROOMS', `a connection may join at most ${ctx.config.maxRoomsPerConnection} rooms`);
  }
  conn.beginJoin(room);
  if (!wasMember) ctx.rooms.addMember(room, conn);
  let reply;
  try {
    const request: { room: string; cap: number; since?: number } = { room, cap: ctx.config.recoveryCap };
    if (frame.since !== undefined) request.since = frame.since;
    reply = await ctx.services.chatJoin(request, correlationId);
  } catch (err) {
    if (!conn.isClosing) {
      conn.abortJoin(room, wasMember);
      if (!wasMember) ctx.rooms.removeMember(room, conn);
    }
    throw fromDownstream(err, 'chat');
  }
  // The connection closed or left while waiting: its cleanup already ran.
  if (conn.isClosing || !conn.isMember(room)) return;
  ctx.rooms.anchor(room, reply.seq);
  const joined: { type: 'joined'; room: string; seq: number; recovered?: boolean } = { type: 'joined', room, seq: reply.seq };
  if (reply.recovered !== undefined) joined.recovered = reply.recovered;
  conn.sendFrame(withRef(joined, frame.ref));
  let lastSeq = reply.seq;
  for (;;) {
    for (const m of reply.messages) {
      conn.sendFrame({ type: 'message', room: m.room, id: m.id, seq: m.seq, from: m.from, text: m.text, ts: m.ts });
    }
    if (!reply.more || reply.messages.length === 0) break;
    // A replay too large for one NATS message comes in parts: ask for the rest.
    const since = reply.messages[reply.messages.length - 1].seq;
    try {
      reply = await ctx.services.chatJoin({ room, cap: ctx.config.recoveryCap, since }, correlationId);
    } catch (err) {
      // `joined` is out and part of the replay too: a gap now would be silent. Closing with
      // 1011 makes the client reconnect and join with `since`, which loses nothing.
      ctx.logger.warn({ err, room, since, correlationId }, 'replay part failed: closing with 1011');
      conn.close(CLOSE_CODES.INTERNAL, 'recovery interrupted, reconnect');
      return;
    }
    if (conn.isClosing || !conn.isMember(room)) return;
  }
  for (const m of reply.messages) lastSeq = Math.max(lastSeq, m.seq);
  conn.finishJoin(room, lastSeq);
  if (!wasMember) ctx.presence.join(conn.session, room, correlationId);
};
