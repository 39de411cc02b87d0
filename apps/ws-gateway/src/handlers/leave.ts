import type { LeaveFrame } from '@relay/contracts';
import { withRef, type FrameHandler } from './context';

/** Leaving a room the connection is not in is not an error: the outcome is the same. */
export const handleLeave: FrameHandler<LeaveFrame> = (ctx, { conn, correlationId }, frame) => {
  const { room } = frame;
  if (conn.isMember(room)) {
    conn.rooms.delete(room);
    ctx.rooms.removeMember(room, conn);
    ctx.presence.leave(conn.session, room, correlationId);
  }
  conn.sendFrame(withRef({ type: 'left', room }, frame.ref));
};
