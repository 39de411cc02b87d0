import { messageFrame, type HistoryFrame } from '@relay/contracts';
import { fromDownstream } from '../errors';
import { withRef, type FrameHandler } from './context';

/** Rooms are public in v1: history needs no join. */
export const handleHistory: FrameHandler<HistoryFrame> = async (ctx, { conn, correlationId }, frame) => {
  const request: { room: string; limit: number; before?: number } = { room: frame.room, limit: frame.limit ?? ctx.config.historyDefaultLimit };
  if (frame.before !== undefined) request.before = frame.before;
  let reply;
  try {
    reply = await ctx.services.chatHistory(request, correlationId);
  } catch (err) {
    throw fromDownstream(err, 'chat');
  }
  const messages = reply.messages.map((m) => {
    const { type: _type, ...message } = messageFrame(m);
    return message;
  });
  conn.sendFrame(withRef({ type: 'history', room: frame.room, messages }, frame.ref));
};
