import type { NotificationMetrics } from './metrics';
import type { OnlineCache } from './online-cache';
import type { PresenceClient } from './presence-client';

/**
 * "Which of these users are online", answered from the online cache where it holds a fresh
 * entry and from presence-service (PresenceOnline, through its breaker) for the rest; presence's
 * answers go into the cache. Presence unavailable leaves those users "not known online", which
 * means `stored`, as before the cache: nothing is cached for them, so the next call asks again.
 * Same contract as the PresenceClient it wraps, so delivery does not know the cache exists.
 */
export function createOnlineLookup(cache: OnlineCache, presence: PresenceClient, metrics: NotificationMetrics, now: () => number = Date.now): PresenceClient {
  return {
    async onlineAmong(users) {
      const online = new Set<string>();
      const ask: string[] = [];
      for (const user of users) {
        const known = cache.get(user);
        if (known === undefined) ask.push(user);
        else if (known) online.add(user);
      }
      if (users.length > ask.length) metrics.onlineLookups.inc({ source: 'cache' }, users.length - ask.length);
      if (ask.length === 0) return online;

      const askedAt = now();
      const answer = await presence.onlineAmong(ask);
      if (!answer) {
        metrics.onlineLookups.inc({ source: 'unknown' }, ask.length);
        return online;
      }
      metrics.onlineLookups.inc({ source: 'presence' }, ask.length);
      for (const user of ask) {
        const isOnline = answer.has(user);
        cache.applyAnswer(user, isOnline, askedAt);
        if (isOnline) online.add(user);
      }
      return online;
    },
  };
}
