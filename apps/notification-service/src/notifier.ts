import { newId, type Notification } from '@relay/contracts';
import type { Delivery, DeliveryPath } from './delivery';
import type { NotificationMetrics } from './metrics';
import type { NotificationStore } from './notification-store';

/** A notification to create: the contract's fields without id, and an optional dedup scope. */
export interface NotificationInput {
  user: string;
  kind: string;
  from?: string;
  room?: string;
  text: string;
  /** When it happened; now when absent. */
  ts?: number;
  data?: Record<string, unknown>;
  /** Same scope, same user: the first notification's id comes back and nothing new is made. */
  idempotencyScope?: string;
}

export interface NotifyOutcome {
  id: string;
  delivered: DeliveryPath;
  duplicate: boolean;
}

/**
 * Creates notifications the agreed way: store as pending first (so nothing is lost whatever
 * happens next), then deliver live to online users. A duplicate whose first notification is
 * still pending is delivered again with the same id: the caller may be retrying because we
 * crashed between storing and publishing, and clients drop an id they have seen.
 */
export class Notifier {
  constructor(
    private readonly store: NotificationStore,
    private readonly delivery: Delivery,
    private readonly metrics: NotificationMetrics,
  ) {}

  /**
   * Stores and delivers every input. When some cannot be stored, the stored ones are still
   * delivered and the first error is thrown, so an idempotent caller can retry them all.
   */
  async notify(inputs: NotificationInput[], source: 'mention' | 'api', correlationId?: string): Promise<NotifyOutcome[]> {
    const settled = await Promise.allSettled(
      inputs.map(async (input) => {
        const n = toNotification(input);
        return { n, result: await this.store.add(n, input.idempotencyScope) };
      }),
    );
    const outcomes: NotifyOutcome[] = [];
    const toDeliver: Notification[] = [];
    let failure: unknown;
    for (const s of settled) {
      if (s.status === 'rejected') {
        failure ??= s.reason;
        continue;
      }
      const { n, result } = s.value;
      if (result.status === 'created') {
        this.metrics.created.inc({ kind: n.kind });
        if (result.evicted > 0) this.metrics.evicted.inc(result.evicted);
        toDeliver.push(n);
        outcomes.push({ id: n.id, delivered: 'stored', duplicate: false });
      } else {
        this.metrics.duplicates.inc({ source });
        if (result.pending) toDeliver.push(result.pending);
        // No longer pending means acknowledged (delivered), expired or evicted by the cap.
        outcomes.push({ id: result.id, delivered: result.pending ? 'stored' : 'live', duplicate: true });
      }
    }
    const paths = await this.delivery.deliver(toDeliver, correlationId);
    for (const o of outcomes) o.delivered = paths.get(o.id) ?? o.delivered;
    if (failure !== undefined) throw failure;
    return outcomes;
  }
}

function toNotification(input: NotificationInput): Notification {
  const n: Notification = { id: newId(), kind: input.kind, user: input.user, text: input.text, ts: input.ts ?? Date.now() };
  if (input.from !== undefined) n.from = input.from;
  if (input.room !== undefined) n.room = input.room;
  if (input.data !== undefined) n.data = input.data;
  return n;
}
