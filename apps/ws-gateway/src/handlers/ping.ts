import type { PingFrame } from '@relay/contracts';
import { withRef, type FrameHandler } from './context';

export const handlePing: FrameHandler<PingFrame> = (_ctx, { conn }, frame) => {
  conn.sendFrame(withRef({ type: 'pong' }, frame.ref));
};
