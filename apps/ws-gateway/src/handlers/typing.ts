import { RoomTyping, type TypingFrame } from '@relay/contracts';
import { gatewayError } from '../errors';
import type { FrameHandler } from './context';
import { requireRoomAccess } from './room-access';

/** Published to every gateway with members in the room; nothing is stored, nothing replied. */
export const handleTyping: FrameHandler<TypingFrame> = async (ctx, { conn, correlationId }, frame) => {
  if (!conn.isMember(frame.room)) throw gatewayError('GW_NOT_JOINED', `join ${frame.room} before typing in it`);
  await requireRoomAccess(ctx, conn, frame.room, 'write');
  ctx.bus.publish(RoomTyping, { room: frame.room }, { room: frame.room, user: conn.user, session: conn.session }, { correlationId });
};
