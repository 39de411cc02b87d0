import type { AckFrame } from '@relay/contracts';
import type { FrameHandler } from './context';

/**
 * The client has these notifications: only now do they stop being pending (a socket that dies
 * before this gets them again after its next `welcome`). No reply, by the protocol; a failed
 * ack is logged and the notifications stay pending, which at worst shows up as a repeated id
 * that the client drops. The user is the connection's own: nobody acks another user's ids.
 */
export const handleAck: FrameHandler<AckFrame> = (ctx, { conn, correlationId }, frame) => {
  ctx.services.notifyAck({ user: conn.user, ids: frame.ids }, correlationId).catch((err: unknown) => {
    ctx.logger.warn({ err: (err as Error).message, user: conn.user, ids: frame.ids.length, correlationId }, 'notification ack failed; they stay pending');
  });
};
