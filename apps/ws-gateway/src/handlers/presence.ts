import type { PresenceFrame } from '@relay/contracts';
import { fromDownstream } from '../errors';
import { withRef, type FrameHandler } from './context';

/** Who is in a room on any gateway, from presence-service (no join needed). */
export const handlePresence: FrameHandler<PresenceFrame> = async (ctx, { conn, correlationId }, frame) => {
  let reply;
  try {
    reply = await ctx.services.roomMembers({ room: frame.room }, correlationId);
  } catch (err) {
    throw fromDownstream(err, 'presence');
  }
  conn.sendFrame(withRef({ type: 'presence', room: frame.room, users: reply.users }, frame.ref));
};
