import type { PresenceFrame } from '@relay/contracts';
import { fromDownstream, gatewayError } from '../errors';
import { withRef, type FrameHandler } from './context';
import { chargeReply, requireRoomAccess } from './room-access';

/**
 * presence-service answers a large room in pages (one NATS reply has a byte budget). A page
 * holds thousands of users, so this bound (millions of members) only stops a service that
 * never says "done".
 */
export const MAX_PRESENCE_PAGES = 1000;

/**
 * Who is in a room on any gateway, from presence-service (no join needed). Follows the reply's
 * `cursor` page by page (each through the presence breaker, like a single request was), merges
 * the pages into a set (a user may come on two pages) and answers with one `presence` frame.
 * Any page failing fails the whole request, as a single request did.
 */
export const handlePresence: FrameHandler<PresenceFrame> = async (ctx, { conn, correlationId }, frame) => {
  await requireRoomAccess(ctx, conn, frame.room, 'read');
  const users = new Set<string>();
  let cursor: string | undefined;
  for (let pages = 0; ; pages++) {
    if (pages >= MAX_PRESENCE_PAGES) {
      ctx.logger.warn({ correlationId, room: frame.room, pages, users: users.size }, 'presence listing did not end within the page bound');
      throw gatewayError('GW_INTERNAL', undefined, new Error(`presence of ${frame.room}: more than ${MAX_PRESENCE_PAGES} pages`));
    }
    // The client went away: the rest of the listing would be for nobody.
    if (conn.isClosing) return;
    let reply;
    try {
      reply = await ctx.services.roomMembers(cursor === undefined ? { room: frame.room } : { room: frame.room, cursor }, correlationId);
    } catch (err) {
      throw fromDownstream(err, 'presence');
    }
    for (const user of reply.users) users.add(user);
    cursor = reply.cursor;
    if (cursor === undefined || cursor === '0') break;
  }
  conn.sendFrame(withRef({ type: 'presence', room: frame.room, users: [...users].sort() }, frame.ref));
  chargeReply(ctx, conn, users.size);
};
