import { isBlank, NotifyAck, NotifyPending, NotifySend } from '@relay/contracts';
import type { Subscription } from '@relay/bus';
import type { ServiceContext } from '@relay/service-kit';
import type { NotificationConfig } from '../config';
import { notifyError } from '../errors';
import type { NotificationMetrics } from '../metrics';
import type { NotificationStore } from '../notification-store';
import type { Notifier } from '../notifier';

export interface ApiHandlerDeps {
  notifier: Notifier;
  store: NotificationStore;
  metrics: NotificationMetrics;
  dataMaxBytes: number;
  /** NotifyPending without `limit` returns up to this many. */
  pendingDefaultLimit: number;
}

/**
 * The NATS API (queue group `notification-service`): NotifySend for any service, NotifyPending
 * and NotifyAck for the gateways. The Bus has already checked each request against its schema
 * (a mismatch is BAD_REQUEST); the checks here are the ones a schema cannot say.
 */
export function serveApi(ctx: ServiceContext<NotificationConfig>, deps: ApiHandlerDeps): Subscription[] {
  const { notifier, store, metrics } = deps;
  return [
    ctx.serve(NotifySend, async (req, meta) => {
      if (isBlank(req.text)) throw notifyError('NOTIF_TEXT_BLANK');
      if (req.data !== undefined) {
        const bytes = Buffer.byteLength(JSON.stringify(req.data));
        if (bytes > deps.dataMaxBytes) throw notifyError('NOTIF_DATA_TOO_LARGE', `data is ${bytes} bytes, the limit is ${deps.dataMaxBytes}`);
      }
      const [outcome] = await notifier.notify(
        [{ ...req, idempotencyScope: req.idempotencyKey === undefined ? undefined : `send:${req.idempotencyKey}` }],
        'api',
        meta.correlationId,
      );
      return { id: outcome.id, delivered: outcome.delivered };
    }),

    ctx.serve(NotifyPending, async (req) => {
      const { notifications, more } = await store.pending(req.user, req.limit ?? deps.pendingDefaultLimit, ctx.bus.replyBudgetBytes, req.offset);
      if (notifications.length > 0) metrics.delivered.inc({ path: 'stored' }, notifications.length);
      return more ? { notifications, more } : { notifications };
    }),

    ctx.serve(NotifyAck, async (req) => {
      const removed = await store.ack(req.user, req.ids);
      if (removed > 0) metrics.acked.inc(removed);
      return { removed };
    }),
  ];
}
