import type { Connection } from '../connection';
import { gatewayError } from '../errors';
import type { RoomAccess } from '../room-permissions';
import type { GatewayContext } from './context';

/**
 * The one permission check every room request makes (join, history, presence: read; send,
 * typing: write), so the four paths cannot drift apart. Throws GW_FORBIDDEN when refused.
 */
export async function requireRoomAccess(ctx: GatewayContext, conn: Connection, room: string, need: RoomAccess): Promise<void> {
  const claims = ctx.auth.claimsOf(conn);
  // Every open connection has claims until it closes; a closing one gets nothing more.
  if (!claims) throw gatewayError('GW_FORBIDDEN', 'the connection is no longer authenticated');
  await ctx.permissions.check(claims, room, need);
}

/**
 * A large reply costs more than a frame: one extra rate-limit token per RATE_REPLY_ITEMS_PER_TOKEN
 * items (messages, users), so paging a big room's history or presence in a loop is throttled
 * like sending that many frames.
 */
export function chargeReply(ctx: GatewayContext, conn: Connection, items: number): void {
  conn.bucket.charge(Math.floor(items / ctx.config.edge.replyItemsPerToken));
}
