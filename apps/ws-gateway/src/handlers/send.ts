import { checkMessageText, newId, type SendFrame } from '@relay/contracts';
import { fromDownstream, gatewayError } from '../errors';
import { withRef, type FrameHandler } from './context';
import { requireRoomAccess } from './room-access';

/**
 * Stores a message through chat-service. The gateway always sets a clientMsgId (its own one
 * when the client gave none), so its retries can never store a message twice.
 */
export const handleSend: FrameHandler<SendFrame> = async (ctx, { conn, correlationId, receivedAt }, frame) => {
  const { room, text } = frame;
  if (!conn.isMember(room)) throw gatewayError('GW_NOT_JOINED', `join ${room} before sending to it`);
  await requireRoomAccess(ctx, conn, room, 'write');
  const checked = checkMessageText(text, ctx.config.textMaxChars);
  if (!checked.ok && checked.problem === 'empty') throw gatewayError('GW_TEXT_EMPTY');
  if (!checked.ok) throw gatewayError('GW_TEXT_TOO_LONG', `text is longer than ${checked.max} characters`);
  const clientMsgId = frame.clientMsgId ?? newId();
  let reply;
  try {
    reply = await ctx.chatAdmission.run(() => ctx.services.chatSend({ room, user: conn.user, text, clientMsgId }, correlationId));
  } catch (err) {
    const failure = fromDownstream(err, 'chat');
    ctx.metrics.sendFailures.inc({ code: failure.clientCode });
    throw failure;
  }
  conn.sendFrame(withRef({ type: 'sent', room, id: reply.id, seq: reply.seq, ts: reply.ts }, frame.ref));
  ctx.metrics.sendSeconds.observe((performance.now() - receivedAt) / 1000);
};
