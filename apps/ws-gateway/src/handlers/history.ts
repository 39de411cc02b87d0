import { messageFrame, type HistoryFrame } from '@relay/contracts';
import { fromDownstream } from '../errors';
import { withRef, type FrameHandler } from './context';
import { chargeReply, requireRoomAccess } from './room-access';

/** History needs no join, only read access (every public room; a private one by grant). */
export const handleHistory: FrameHandler<HistoryFrame> = async (ctx, { conn, correlationId }, frame) => {
  await requireRoomAccess(ctx, conn, frame.room, 'read');
  const request: { room: string; limit: number; before?: number } = { room: frame.room, limit: frame.limit ?? ctx.config.historyDefaultLimit };
  if (frame.before !== undefined) request.before = frame.before;
  let reply;
  try {
    reply = await ctx.chatAdmission.run(() => ctx.services.chatHistory(request, correlationId));
  } catch (err) {
    throw fromDownstream(err, 'chat');
  }
  const messages = reply.messages.map((m) => {
    const { type: _type, ...message } = messageFrame(m);
    return message;
  });
  conn.sendFrame(withRef({ type: 'history', room: frame.room, messages }, frame.ref));
  chargeReply(ctx, conn, messages.length);
};
