/**
 * "Which users are online at all", for backends (the api's GET /v1/users/online without a
 * list): the online set read in pages, like a room's members, because one NATS reply cannot
 * carry every user of a large deployment.
 */
import { PresenceOnlineUsers } from '@relay/contracts';
import type { Subscription } from '@relay/bus';
import type { ServiceContext } from '@relay/service-kit';
import type { PresenceConfig } from './config';
import type { PresenceStore } from './presence-store';
import { MEMBERS_PAGE_DEFAULTS } from './room-members-page';

/** Serves presence.v1.online-users in the presence-service queue group. */
export function serveOnlineUsers(ctx: ServiceContext<PresenceConfig>, store: Pick<PresenceStore, 'onlineUsersPage'>): Subscription {
  return ctx.serve(PresenceOnlineUsers, async ({ cursor }) => {
    // One reply must fit one NATS message: the bus's reply budget bounds the page.
    const page = await store.onlineUsersPage(cursor ?? '0', { ...MEMBERS_PAGE_DEFAULTS, budgetBytes: ctx.bus.replyBudgetBytes });
    // The last page carries no cursor, as with room members.
    return page.cursor === '0' ? { users: page.users, count: page.count } : page;
  });
}
