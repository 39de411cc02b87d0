import type { Subscription } from '@relay/bus';
import { UserNotification, type Notification } from '@relay/contracts';
import { type Bus } from '@relay/bus';
import type { Logger } from '@relay/service-kit';
import type { Connection } from './connection';
import type { RoomRegistry } from './room-registry';
import type { ServiceClients } from './service-clients';

export interface NotificationDeliveryDeps {
  bus: Bus;
  registry: RoomRegistry;
  services: Pick<ServiceClients, 'notifyPending'>;
  logger: Logger;
}

/** At 1,000 a part, a connection start delivers at most 50,000 pending notifications. */
const MAX_PENDING_PARTS = 50;
/** How long the delivery of a backlog waits for the client to read one part. */
const PENDING_DRAIN_TIMEOUT_MS = 10000;

/** The client frame: the notification without its `user` (the connection is the user). */
function encode(n: Notification): string {
  const { user: _user, ...rest } = n;
  return JSON.stringify({ type: 'notification', ...rest });
}

/**
 * Notifications to live connections: a per-user subscription while the user has a local
 * connection, and the pending ones right after `welcome`. Nothing is acknowledged here: a
 * notification stays pending until the client says it has it (`ack` frame, handlers/ack.ts),
 * so one written to a socket that dies before the client read it comes again.
 */
export class NotificationDelivery {
  private readonly subs = new Map<string, Subscription>();

  constructor(private readonly deps: NotificationDeliveryDeps) {}

  /** The user's first local connection: subscribe (before pending is fetched, so nothing falls between). */
  userConnected(user: string): void {
    if (this.subs.has(user)) return;
    this.subs.set(
      user,
      this.deps.bus.subscribe(UserNotification, { user }, (n, meta) => {
        // Delivery goes by the payload's user: one published on this user's subject but naming
        // another user (a buggy or hostile publisher) would reach that other user. The subject
        // is what we subscribed to; anything else is dropped.
        if (n.user === user) this.onLive(n);
        else this.deps.logger.warn({ subject: meta.subject, user, payloadUser: n.user, correlationId: meta.correlationId }, 'notification for another user on this user subject dropped');
      }),
    );
  }

  userDisconnected(user: string): void {
    this.subs.get(user)?.unsubscribe();
    this.subs.delete(user);
  }

  isSubscribed(user: string): boolean {
    return this.subs.has(user);
  }

  /**
   * Pending notifications for a new connection. A backlog larger than one NATS reply comes in
   * parts (`more`); they stay pending until the client acks them, so the next part is asked for
   * with `offset` past what was already read.
   */
  async deliverPending(conn: Connection, cid: string): Promise<void> {
    let offset = 0;
    for (let part = 0; part < MAX_PENDING_PARTS; part++) {
      const reply = await this.deps.services.notifyPending({ user: conn.user, limit: 1000, offset }, cid);
      const { more } = reply;
      // The reply is for this user only; an entry naming another user is never shown here.
      const notifications = reply.notifications.filter((n) => n.user === conn.user);
      const delivered = notifications.filter((n) => conn.deliverNotification(n.id, encode(n))).length;
      offset += reply.notifications.length;
      // Stop when the rest would only come back again: nothing more, or this connection is going.
      if (!more || delivered < notifications.length || conn.isClosing) return;
      // The next part only once the client has read this one: a backlog never passes the
      // outbound hard limit by itself.
      if (!(await conn.whenDrained(PENDING_DRAIN_TIMEOUT_MS))) return;
    }
    this.deps.logger.warn({ user: conn.user, parts: MAX_PENDING_PARTS, correlationId: cid }, 'pending backlog larger than one connection start delivers; the rest waits');
  }

  private onLive(n: Notification): void {
    const conns = this.deps.registry.connectionsOf(n.user);
    if (!conns) return;
    const frame = encode(n);
    for (const conn of conns) conn.deliverNotification(n.id, frame);
  }
}
