import { isContractError, PresenceOnline } from '@relay/contracts';
import { type Bus } from '@relay/bus';
import { createBreaker, type BreakerDeps } from '@relay/service-kit';

/** PresenceOnline takes at most this many users per request (its schema's limit). */
const USERS_PER_REQUEST = 1000;

export interface PresenceClientOptions {
  timeoutMs: number;
  resetTimeoutMs: number;
}

export interface PresenceClient {
  /**
   * Which of `users` are online, or `undefined` when presence-service cannot say (down, slow,
   * breaker open). Never throws: not knowing means "store it", not "fail the notification".
   */
  onlineAmong(users: string[]): Promise<Set<string> | undefined>;
}

/**
 * Asks presence-service through one breaker. No retry: a read that fails is answered by
 * storing the notification, which the user gets after the next `welcome` anyway.
 */
export function createPresenceClient(bus: Bus, opts: PresenceClientOptions, deps: BreakerDeps): PresenceClient {
  // The NATS request gives up a little after the breaker would, so the breaker's own timeout
  // decides, and NO_RESPONDERS (presence stopped) still comes back at once.
  const breaker = createBreaker(
    (users: string[]) => bus.request(PresenceOnline, { users }, { timeoutMs: opts.timeoutMs + 100 }),
    { name: 'presence-service', timeoutMs: opts.timeoutMs, resetTimeoutMs: opts.resetTimeoutMs },
    deps,
  );
  return {
    async onlineAmong(users) {
      const online = new Set<string>();
      try {
        for (let i = 0; i < users.length; i += USERS_PER_REQUEST) {
          const reply = await breaker.call(users.slice(i, i + USERS_PER_REQUEST));
          for (const u of reply.online) online.add(u);
        }
        return online;
      } catch (err) {
        // While the breaker is open every call fails the same way; its state change is logged once.
        const level = isContractError(err) && err.code === 'UNAVAILABLE' ? 'debug' : 'warn';
        deps.logger[level]({ err, users: users.length }, 'presence unknown: notifications are stored');
        return undefined;
      }
    },
  };
}
