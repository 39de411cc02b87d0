import { UserOffline, UserOnline, type UserLifecycleEvent } from '@relay/contracts';
import type { Subscription } from '@relay/bus';
import type { RecentIds, ServiceContext } from '@relay/service-kit';
import type { NotificationConfig } from './config';
import type { NotificationMetrics } from './metrics';
import type { OnlineCache } from './online-cache';

export interface OnlineEventDeps {
  consume: ServiceContext<NotificationConfig>['consume'];
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
  return [deps.consume(UserOnline, {}, handle('online')), deps.consume(UserOffline, {}, handle('offline'))];
}
