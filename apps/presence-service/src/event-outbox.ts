/**
 * The presence outbox's publisher: transitions recorded in Redis by the scripts go out on NATS at
 * least once, each with an envelope id derived from its outbox id. Online/offline events go to the
 * PRESENCE_EVENTS stream (JetStream captures their subjects, so core subscribers get them as before);
 * member events stay on core NATS.
 */
import { RoomMember, UserOffline, UserOnline } from '@relay/contracts';
import type { Bus } from '@relay/bus';
import type { Logger } from '@relay/service-kit';
import type { PresenceMetrics } from './metrics';
import type { PresenceStore } from './presence-store';
import type { Transition } from './transitions';

export interface OutboxDeps {
  bus: Bus;
  store: PresenceStore;
  instanceId: string;
  logger: Logger;
  metrics: PresenceMetrics;
  /** An entry older than this is considered abandoned by its creator and republished. */
  graceMs: number;
  /** How long one instance keeps the right to republish (about one sweep interval). */
  lockMs: number;
  /** How long a stream publish waits for its PubAck before it counts as not confirmed. */
  ackTimeoutMs: number;
}

/** A transition sent and what confirms it: the stream's PubAck, or (member events) the flush alone. */
interface Sent {
  id: string;
  ack?: Promise<unknown>;
}

/** Most entries one drain republishes. */
const DRAIN_BATCH = 1000;

/** The envelope id of a transition: derived from its outbox id, so every republish carries the same one. */
export function dedupId(outboxId: string): string {
  return `presence-${outboxId}`;
}

/**
 * Publishes transitions at least once. The scripts wrote each transition to the outbox stream in
 * the same atomic step as the state change; it is deleted only after NATS confirmed the publish:
 * the PubAck of the PRESENCE_EVENTS stream for online/offline (stored, so backends reading the
 * stream cannot miss it), the flush for member events. If this instance dies in between, the
 * drainer of any instance republishes it after `graceMs` with the same envelope id and time,
 * which consumers deduplicate and order on (and the stream stores once within its duplicate window).
 */
export class EventOutbox {
  private readonly inFlight = new Set<Promise<void>>();
  /** Published but not yet confirmed: one flush and one XDEL confirm a whole batch. */
  private unconfirmed: Sent[] = [];

  constructor(private readonly deps: OutboxDeps) {}

  /** Publishes in order, now; confirmation and deletion finish in the background. Never throws. */
  publish(transitions: Transition[]): void {
    if (transitions.length === 0) return;
    const sent: Sent[] = [];
    try {
      for (const t of transitions) sent.push(this.send(t));
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
    this.unconfirmed.push(...sent);
  }

  /** Republishes entries older than the grace period (their creator died or lost NATS); one instance at a time. */
  async drainStale(): Promise<number> {
    const { store, graceMs, lockMs, instanceId } = this.deps;
    if (!(await store.claimOutboxDrain(instanceId, lockMs))) return 0;
    const cutoff = Date.now() - graceMs;
    if (cutoff <= 0) return 0;
    const transitions = await store.outboxEntriesUntil(cutoff, DRAIN_BATCH);
    if (transitions.length === 0) return 0;
    await this.confirm(transitions.map((t) => this.send(t)));
    this.deps.metrics.republished.inc(transitions.length);
    this.deps.logger.warn({ count: transitions.length }, 'republished presence events left in the outbox');
    return transitions.length;
  }

  /** Resolves when every publish started so far is confirmed (or has failed and stays in the outbox). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private send(t: Transition): Sent {
    const identity = { id: dedupId(t.id), time: t.at };
    const correlationId = t.correlationId || undefined;
    let ack: Promise<unknown> | undefined;
    if (t.kind === 'join' || t.kind === 'leave') {
      this.deps.bus.publishPrepared({ def: RoomMember, params: { room: t.room }, data: { room: t.room, user: t.user, event: t.kind }, identity, correlationId });
    } else {
      const data = { user: t.user, at: t.at, reason: t.reason || (t.kind === 'online' ? 'connect' : 'disconnect') } as const;
      // The envelope id is the Nats-Msg-Id: a republish within the duplicate window is stored once.
      ack = this.deps.bus.publishDurable({ def: t.kind === 'online' ? UserOnline : UserOffline, params: {}, data, identity, correlationId }, { timeoutMs: this.deps.ackTimeoutMs });
      // Settled in confirm(), a tick later: not an unhandled rejection meanwhile.
      ack.catch(() => undefined);
    }
    this.deps.metrics.transitions.inc({ event: t.kind });
    return { id: t.id, ack };
  }

  /** Deletes from the outbox what NATS confirmed; the rest stays there for the drainer. */
  private async confirm(sent: Sent[]): Promise<void> {
    const { bus, store, logger } = this.deps;
    try {
      await bus.flush();
      const acks = await Promise.allSettled(sent.map((s) => s.ack));
      const confirmed = sent.filter((_, i) => acks[i].status === 'fulfilled').map((s) => s.id);
      const failed = acks.find((a): a is PromiseRejectedResult => a.status === 'rejected');
      if (failed) logger.warn({ err: failed.reason, count: sent.length - confirmed.length }, 'presence events not stored by the stream; they stay in the outbox');
      if (confirmed.length > 0) await store.deleteOutboxEntries(confirmed);
    } catch (err) {
      logger.warn({ err, count: sent.length }, 'presence events not confirmed; they stay in the outbox');
    }
  }
}
