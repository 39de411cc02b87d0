import {
  CORRELATION_HEADER,
  makeEnvelope,
  RoomMember,
  subjectFor,
  UserOffline,
  UserOnline,
  type MemberEvent,
  type UserLifecycleEvent,
} from '@relay/contracts';
import type { Logger } from '@relay/service-kit';
import { headers as natsHeaders, type NatsConnection } from 'nats';
import type { PresenceMetrics } from './presence-metrics';
import type { PresenceStore } from './presence-store';
import { fromStreamEntry, type Transition } from './transitions';

export interface OutboxDeps {
  nc: NatsConnection;
  store: PresenceStore;
  /** Envelope source, e.g. `presence-service/presence-1`. */
  source: string;
  instanceId: string;
  logger: Logger;
  metrics: PresenceMetrics;
  /** An entry older than this is considered abandoned by its creator and republished. */
  graceMs: number;
  /** How long one instance keeps the right to republish (about one sweep interval). */
  lockMs: number;
}

const encoder = new TextEncoder();

/** The envelope id of a transition: derived from its outbox id, so every republish carries the same one. */
export function dedupId(outboxId: string): string {
  return `presence-${outboxId}`;
}

/**
 * Publishes transitions at least once. The scripts wrote each transition to the outbox stream in
 * the same atomic step as the state change; it is deleted only after NATS confirmed the publish
 * (flush). If this instance dies in between, the drainer of any instance republishes it after
 * `graceMs` with the same envelope id, which consumers deduplicate on.
 *
 * The envelope is made here rather than by Bus.publish because its id must be the outbox id, not
 * a fresh one; subject and payload still come from the catalog definitions.
 */
export class EventOutbox {
  private readonly inFlight = new Set<Promise<void>>();
  /** Ids published but not yet confirmed: one flush and one XDEL confirm a whole batch. */
  private unconfirmed: string[] = [];

  constructor(private readonly deps: OutboxDeps) {}

  /** Publishes in order, now; confirmation and deletion finish in the background. Never throws. */
  publish(transitions: Transition[]): void {
    if (transitions.length === 0) return;
    try {
      for (const t of transitions) this.send(t);
    } catch (err) {
      // Left in the outbox: the drainer republishes them once the grace period has passed.
      this.deps.logger.warn({ err, count: transitions.length }, 'publishing presence events failed; they stay in the outbox');
      return;
    }
    if (this.unconfirmed.length === 0) {
      const done = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => this.confirm(this.unconfirmed.splice(0)))
        .finally(() => this.inFlight.delete(done));
      this.inFlight.add(done);
    }
    for (const t of transitions) this.unconfirmed.push(t.id);
  }

  /** Republishes entries older than the grace period (their creator died or lost NATS); one instance at a time. */
  async drainStale(): Promise<number> {
    const { store, graceMs, lockMs, instanceId } = this.deps;
    const redis = store.client;
    const locked = await store.guard(() => redis.set(store.keys.outboxLock, instanceId, 'PX', lockMs, 'NX'));
    if (locked !== 'OK') return 0;
    const cutoff = Date.now() - graceMs;
    if (cutoff <= 0) return 0;
    const entries = await store.guard(() => redis.xrange(store.keys.outbox, '-', String(cutoff), 'COUNT', 1000));
    if (entries.length === 0) return 0;
    const transitions = entries.map(([id, fields]) => fromStreamEntry(id, fields));
    for (const t of transitions) this.send(t);
    await this.confirm(transitions.map((t) => t.id));
    this.deps.metrics.republished.inc(transitions.length);
    this.deps.logger.warn({ count: transitions.length }, 'republished presence events left in the outbox');
    return transitions.length;
  }

  /** Resolves when every publish started so far is confirmed (or has failed and stays in the outbox). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private send(t: Transition): void {
    const headers = natsHeaders();
    headers.set(CORRELATION_HEADER, t.correlationId || dedupId(t.id));
    let subject: string;
    let body: Uint8Array;
    if (t.kind === 'join' || t.kind === 'leave') {
      const data: MemberEvent = { room: t.room, user: t.user, event: t.kind };
      subject = subjectFor(RoomMember.subject, { room: t.room });
      body = this.envelope(RoomMember, data, t);
    } else {
      const data: UserLifecycleEvent = { user: t.user, at: t.at, reason: t.reason || (t.kind === 'online' ? 'connect' : 'disconnect') };
      const def = t.kind === 'online' ? UserOnline : UserOffline;
      subject = def.subject;
      body = this.envelope(def, data, t);
    }
    this.deps.nc.publish(subject, body, { headers });
    this.deps.metrics.transitions.inc({ event: t.kind });
  }

  private envelope(def: { type: string; version: number }, data: unknown, t: Transition): Uint8Array {
    const env = makeEnvelope(def.type, def.version, this.deps.source, data);
    env.id = dedupId(t.id);
    env.time = t.at;
    return encoder.encode(JSON.stringify(env));
  }

  private async confirm(ids: string[]): Promise<void> {
    const { nc, store, logger } = this.deps;
    try {
      await nc.flush();
      await store.guard(() => store.client.xdel(store.keys.outbox, ...ids));
    } catch (err) {
      logger.warn({ err, count: ids.length }, 'presence events not confirmed; they stay in the outbox');
    }
  }
}
