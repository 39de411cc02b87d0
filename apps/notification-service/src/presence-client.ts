/**
 * "Which of these users are online?", asked of presence-service. The call itself (breaker, no
 * retry) is made by the service kit's client in app.ts; this module pages the question and turns
 * any failure into "unknown".
 */
import { isContractError, type OnlineReply, type OnlineRequest } from '@relay/contracts';
import type { Logger } from '@relay/service-kit';

/** PresenceOnline takes at most this many users per request (its schema's limit). */
const USERS_PER_REQUEST = 1000;

export interface PresenceClient {
  /**
   * Which of `users` are online, or `undefined` when presence-service cannot say (down, slow,
   * breaker open). Never throws: not knowing means "store it", not "fail the notification".
   */
  onlineAmong(users: string[]): Promise<Set<string> | undefined>;
}

/**
 * No retry: a read that fails is answered by storing the notification, which the user gets
 * after the next `welcome` anyway.
 */
export function createPresenceClient(presenceOnline: (req: OnlineRequest) => Promise<OnlineReply>, logger: Logger): PresenceClient {
  return {
    async onlineAmong(users) {
      const online = new Set<string>();
      try {
        for (let i = 0; i < users.length; i += USERS_PER_REQUEST) {
          const reply = await presenceOnline({ users: users.slice(i, i + USERS_PER_REQUEST) });
          for (const u of reply.online) online.add(u);
        }
        return online;
      } catch (err) {
        // While the breaker is open every call fails the same way; its state change is logged once.
        const level = isContractError(err) && err.code === 'UNAVAILABLE' ? 'debug' : 'warn';
        logger[level]({ err, users: users.length }, 'presence unknown: notifications are stored');
        return undefined;
      }
    },
  };
}
