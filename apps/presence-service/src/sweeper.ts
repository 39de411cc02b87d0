import { newId } from '@relay/contracts';
import type { Logger } from '@relay/service-kit';
import type { EventOutbox } from './event-outbox';
import type { PresenceMetrics } from './metrics';
import type { PresenceStore } from './presence-store';

export interface SweeperDeps {
  store: PresenceStore;
  outbox: EventOutbox;
  metrics: PresenceMetrics;
  logger: Logger;
  intervalMs: number;
  batch: number;
}

/**
 * Every instance runs one: each tick expires gateways whose lease ran out (the expire script is
 * the atomic claim, so instances sweeping together never process a gateway twice), republishes
 * abandoned outbox entries and refreshes the shared-state gauges. Ticks never overlap: the next
 * one is scheduled when the previous one has finished.
 */
export class Sweeper {
  private timer?: NodeJS.Timeout;
  private current?: Promise<void>;
  private stopped = false;

  constructor(private readonly deps: SweeperDeps) {}

  start(): void {
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current;
  }

  /** One sweep; errors are logged and the next tick tries again. */
  async tick(): Promise<void> {
    const { store, outbox, metrics, logger, batch } = this.deps;
    const correlationId = newId();
    try {
      const due = await store.dueGateways(batch, correlationId);
      let expired = 0;
      for (const gateway of due.gateways) {
        const r = await store.expireGateway(gateway, correlationId);
        if (!r.expired) continue;
        expired++;
        outbox.publish(r.transitions);
        metrics.gatewaysExpired.inc();
        logger.info({ gateway, sessions: r.removed, events: r.transitions.length, correlationId }, 'gateway lease expired; its sessions were removed');
      }
      if (due.graced) logger.warn({ correlationId }, 'no sweep for longer than a lease (presence was down): every lease got one more term');
      metrics.sweeps.inc({ result: due.graced ? 'graced' : expired > 0 ? 'expired' : 'idle' });
      await outbox.drainStale();
      metrics.setState(await store.stats());
    } catch (err) {
      logger.warn({ err, correlationId }, 'sweep failed; retrying next interval');
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.current = this.tick().finally(() => {
        this.current = undefined;
        this.schedule();
      });
    }, this.deps.intervalMs);
  }
}
