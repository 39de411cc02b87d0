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

export interface OnlineUsersDeps {
  serve: ServiceContext<PresenceConfig>['serve'];
  store: Pick<PresenceStore, 'onlineUsersPage'>;
  /** Bytes one reply may carry (Bus.replyBudgetBytes). */
  replyBudgetBytes: () => number;
}

/** Serves presence.v1.online-users in the presence-service queue group. */
export function serveOnlineUsers(deps: OnlineUsersDeps): Subscription {
  return deps.serve(PresenceOnlineUsers, async ({ cursor }) => {
    const page = await deps.store.onlineUsersPage(cursor ?? '0', { ...MEMBERS_PAGE_DEFAULTS, budgetBytes: deps.replyBudgetBytes() });
    // The last page carries no cursor, as with room members.
    return page.cursor === '0' ? { users: page.users, count: page.count } : page;
  });
}
