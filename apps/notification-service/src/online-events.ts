import { UserOffline, UserOnline, type UserLifecycleEvent } from '@relay/contracts';
import { type Bus } from '@relay/bus';
import type { Subscription } from '@relay/bus';
import type { NotificationMetrics } from './metrics';
import type { OnlineCache } from './online-cache';
import type { RecentIds } from '@relay/service-kit';

export interface OnlineEventDeps {
  bus: Bus;
  cache: OnlineCache;
  recentIds: RecentIds;
  metrics: NotificationMetrics;
}

/**
 * Feeds the online cache from presence-service's UserOnline / UserOffline events. Not in a
 * queue group: every instance answers NotifySend from its own cache, so every instance needs
 * every event. Redeliveries are dropped by envelope id; out-of-order arrival is the cache's
 * concern (latest `at` wins).
 */
export function subscribeOnlineEvents(deps: OnlineEventDeps): Subscription[] {
  const handle = (event: 'online' | 'offline') => (data: UserLifecycleEvent, meta: { envelopeId: string }) => {
    if (!deps.recentIds.firstSeen(meta.envelopeId)) {
      deps.metrics.presenceEvents.inc({ event, outcome: 'duplicate' });
      return;
    }
    const outcome = deps.cache.applyEvent(data.user, event === 'online', data.at);
    deps.metrics.presenceEvents.inc({ event, outcome });
  };
  return [deps.bus.subscribe(UserOnline, {}, handle('online')), deps.bus.subscribe(UserOffline, {}, handle('offline'))];
}
