import { POSITIONS_MAX_ROOMS, type RoomPosition } from '@relay/contracts';
import type { Logger } from '@relay/service-kit';
import type { GatewayMetrics } from './metrics';
import type { RoomSubscriptions } from './room-subscriptions';

export interface TailCheckDeps {
  rooms: Pick<RoomSubscriptions, 'roomNames' | 'catchUp'>;
  /** ChatPositions: where each room's store stands. */
  positions: (rooms: string[]) => Promise<RoomPosition[]>;
  metrics: GatewayMetrics;
  logger: Logger;
  intervalMs: number;
  /** At most this many messages fetched per room and check (the recovery cap). */
  maxPerRoom: number;
}

/**
 * No silent tail loss. Live fan-out is core NATS: a RoomMessage lost on the way (a chat-service
 * crash between store and publish, a NATS reconnect) is noticed by the room sequencer only when
 * a later message shows the hole, so the last message before a quiet period could stay missing.
 * Every `intervalMs` this asks chat-service where the rooms this gateway holds stand (one
 * request per 500 rooms) and fetches whatever the live stream has not delivered.
 *
 * Only what was stored at least one round ago counts: a round fetches up to where the store stood
 * in the previous round. A message stored just now may still be on its way live (the publish
 * follows the store), and fetching it would race its publish for nothing; a lost publish is
 * still fetched one round later (within two intervals).
 */
export class TailCheck {
  private timer?: NodeJS.Timeout;
  private running = false;
  /** Where each room's store stood in the previous round. */
  private previous = new Map<string, RoomPosition>();

  constructor(private readonly deps: TailCheckDeps) {}

  start(): void {
    if (this.deps.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.check(), this.deps.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round over every room held; a round still running (slow chat-service) is not doubled. */
  async check(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const seen = new Map<string, RoomPosition>();
    try {
      const all = this.deps.rooms.roomNames();
      for (let i = 0; i < all.length; i += POSITIONS_MAX_ROOMS) {
        const positions = await this.deps.positions(all.slice(i, i + POSITIONS_MAX_ROOMS));
        for (const p of positions) seen.set(p.room, p);
        await Promise.all(positions.map((p) => this.catchUpTo(this.previous.get(p.room), p)));
      }
    } catch (err) {
      // chat-service down or its breaker open: the next round tries again.
      this.deps.logger.warn({ err: (err as Error).message }, 'tail check failed; retrying next round');
    } finally {
      // Rooms not reached this round (a failed request) keep last round's position; rooms left go.
      const held = new Set(this.deps.rooms.roomNames());
      for (const [room, p] of this.previous) if (!seen.has(room) && held.has(room)) seen.set(room, p);
      this.previous = seen;
      this.running = false;
    }
  }

  /**
   * Fetches up to where the store stood last round. A store now in another epoch (reset since)
   * waits a round too: last round's seqs belong to the old one.
   */
  private async catchUpTo(earlier: RoomPosition | undefined, now: RoomPosition): Promise<void> {
    if (!earlier || earlier.epoch !== now.epoch || earlier.seq > now.seq) return;
    const p = earlier;
    const fetched = await this.deps.rooms.catchUp(p.room, p.seq, p.epoch, this.deps.maxPerRoom);
    if (fetched > 0) {
      this.deps.metrics.tailRecovered.inc(fetched);
      this.deps.logger.warn({ room: p.room, seq: p.seq, epoch: p.epoch, fetched }, 'missed tail fetched from history (its live publish was lost)');
    }
  }
}
