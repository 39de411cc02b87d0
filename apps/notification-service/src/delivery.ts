import { UserNotification, type Notification } from '@relay/contracts';
import { type Bus } from '@relay/bus';
import type { Logger } from '@relay/service-kit';
import type { NotificationMetrics } from './metrics';
import type { PresenceClient } from './presence-client';

export type DeliveryPath = 'live' | 'stored';

/**
 * Live delivery of notifications that are already stored as pending. Each one is published on
 * its user's own subject, which only gateways holding a connection of that user subscribe to
 * (NATS routes by interest: no gateway without the user sees it, and a publish nobody
 * subscribes to costs nothing). The gateway acks it, which removes it from the pending store.
 *
 * It is published whatever presence says. Presence lags a connection by the time the
 * gateway's session update takes, and a user connected in that window has already fetched
 * their pending notifications: skipping the publish would leave the new one to the next
 * connection. Presence decides the `delivered` answer: `live` when the user is online,
 * `stored` when offline or unknown (the gateway fetches it after the next `welcome`).
 */
export class Delivery {
  constructor(
    private readonly bus: Bus,
    private readonly presence: PresenceClient,
    private readonly metrics: NotificationMetrics,
    private readonly logger: Logger,
  ) {}

  /** Publishes every notification; returns each one's path by id. Never throws. */
  async deliver(list: Notification[], correlationId?: string): Promise<Map<string, DeliveryPath>> {
    const paths = new Map<string, DeliveryPath>();
    if (list.length === 0) return paths;
    const online = await this.presence.onlineAmong([...new Set(list.map((n) => n.user))]);
    for (const n of list) {
      const published = this.publish(n, correlationId);
      paths.set(n.id, published && online?.has(n.user) ? 'live' : 'stored');
    }
    return paths;
  }

  private publish(n: Notification, correlationId?: string): boolean {
    try {
      this.bus.publish(UserNotification, { user: n.user }, n, { correlationId });
      this.metrics.delivered.inc({ path: 'live' });
      return true;
    } catch (err) {
      // NATS closed or draining: the notification stays pending for the next `welcome`.
      this.logger.warn({ err, user: n.user, id: n.id }, 'live publish failed; notification stays pending');
      return false;
    }
  }
}
