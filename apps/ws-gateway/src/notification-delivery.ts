import type { Subscription } from '@relay/bus';
import { paramsFrom, UserNotification, type Notification } from '@relay/contracts';
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

/** The user a notification subject names (encoded in the subject), or undefined for a malformed one. */
function userOf(subject: string): string | undefined {
  return paramsFrom(UserNotification.subject, subject)?.user;
}

/** The client frame: the notification without its `user` (the connection is the user). */
function encode(n: Notification): string {
  const { user: _user, ...rest } = n;
  return JSON.stringify({ type: 'notification', ...rest });
}

/**
 * Notifications to live connections: one subscription per gateway to every user's subject,
 * dispatched to the local connections of the user the subject names, and the pending ones right
 * after `welcome`. One subscription, not one per user: a per-user subscription cost about 1.5 KB
 * of heap per connected user and a SUB and UNSUB to NATS (and across a cluster's routes) on every
 * connect and disconnect. The price is that every gateway receives every notification; those
 * for users it does not hold are dropped by subject, before any parse (notifications are a small
 * share of the traffic; room messages stay per-room subscriptions).
 *
 * Nothing is acknowledged here: a notification stays pending until the client says it has it
 * (`ack` frame, handlers/ack.ts), so one written to a socket that dies before the client read
 * it comes again.
 */
export class NotificationDelivery {
  private sub?: Subscription;

  constructor(private readonly deps: NotificationDeliveryDeps) {}

  /** Subscribes once, before the first connection is taken, so nothing falls between live and pending. */
  start(): void {
    this.sub ??= this.deps.bus.subscribe(
      UserNotification,
      '*',
      (n, meta) => {
        // Delivery goes by the subject's user: one published on one user's subject but naming
        // another user in its payload (a buggy or hostile publisher) is dropped, never delivered
        // to the user it names.
        const user = userOf(meta.subject);
        if (user !== undefined && n.user === user) this.onLive(n);
        else this.deps.logger.warn({ subject: meta.subject, payloadUser: n.user, correlationId: meta.correlationId }, 'notification for another user on this user subject dropped');
      },
      { prefilter: (_payload, subject) => this.holdsUserOf(subject) },
    );
  }

  /** True when the subject names a user with a connection on this gateway. */
  private holdsUserOf(subject: string): boolean {
    const user = userOf(subject);
    return user !== undefined && this.deps.registry.connectionsOf(user) !== undefined;
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
