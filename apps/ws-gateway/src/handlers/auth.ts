import type { AuthFrame } from '@relay/contracts';
import { gatewayError } from '../errors';
import { withRef, type FrameHandler } from './context';

/**
 * Token refresh on an open socket: a valid token for the same user replaces the connection's
 * claims and pushes its expiry out. Another `sub` is FORBIDDEN, an invalid token UNAUTHORIZED;
 * either way the connection stays open with the token it had.
 */
export const handleAuth: FrameHandler<AuthFrame> = async (ctx, { conn }, frame) => {
  const result = await ctx.verifyToken(frame.token);
  if (!result.ok) {
    conn.logger.info({ reason: result.reason }, 'refresh token refused');
    throw gatewayError('GW_TOKEN_INVALID');
  }
  if (result.claims.sub !== conn.user) throw gatewayError('GW_TOKEN_OTHER_USER');
  if (conn.isClosing) return;
  ctx.auth.refresh(conn, result.claims);
  conn.sendFrame(withRef({ type: 'authed', exp: result.claims.exp }, frame.ref));
};
