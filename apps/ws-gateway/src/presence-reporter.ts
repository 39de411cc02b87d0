import { newId, SnapshotChunk, type GatewaySnapshot, type SessionSnapshot, type SessionUpdate } from '@relay/contracts';
import { DEFAULT_MAX_PAYLOAD } from '@relay/bus';
import type { Logger } from '@relay/service-kit';
import type { ServiceClients } from './service-clients';

interface LocalSession {
  user: string;
  connectedAt: number;
  rooms: Set<string>;
}

export interface PresenceReporterOptions {
  gateway: string;
  heartbeatIntervalMs: number;
  services: Pick<ServiceClients, 'sessionUpdate' | 'heartbeat' | 'sync'>;
  logger: Logger;
  /** The NATS server's max_payload (Bus.maxPayloadBytes); nats-server's default when absent. */
  maxPayload?: () => number | undefined;
  /** A smaller byte budget per snapshot message than max_payload allows (0 or absent: none; at least 1024). */
  syncChunkBytes?: number;
}

/** Room for the request envelope and NATS headers around the snapshot itself. */
const REQUEST_HEADROOM_BYTES = 16 * 1024;
const MIN_BUDGET_BYTES = 1024;
/** The contract's limit on parts per snapshot. */
const MAX_PARTS = SnapshotChunk.properties.count.maximum ?? 10000;

const byteLength = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/**
 * The snapshot as one message when its JSON fits `budgetBytes`, else as parts that each fit:
 * the sessions in order, split where the next one would go over, every part with the same
 * gateway, incarnation, v and at, one chunk id, and index 0..count-1. A single session larger
 * than the budget travels alone (it still fits max_payload unless the budget was set by hand).
 */
export function splitSnapshot(snap: GatewaySnapshot, budgetBytes: number, chunkId: () => string = newId): GatewaySnapshot[] {
  if (byteLength(snap) <= budgetBytes) return [snap];
  const id = chunkId();
  // A part without sessions, with the widest chunk descriptor: what every part costs besides its sessions.
  const base = byteLength({ ...snap, sessions: [], chunk: { id, index: MAX_PARTS, count: MAX_PARTS } });
  const groups: SessionSnapshot[][] = [];
  let current: SessionSnapshot[] = [];
  let size = base;
  for (const session of snap.sessions) {
    const cost = byteLength(session) + 1; // and its comma
    if (current.length > 0 && size + cost > budgetBytes) {
      groups.push(current);
      current = [];
      size = base;
    }
    current.push(session);
    size += cost;
  }
  if (current.length > 0) groups.push(current);
  if (groups.length > MAX_PARTS) throw new Error(`snapshot needs ${groups.length} parts, more than ${MAX_PARTS}`);
  return groups.map((sessions, index) => ({ ...snap, sessions, chunk: { id, index, count: groups.length } }));
}

/**
 * The gateway's side of presence: every session change goes to presence-service with an
 * increasing `v` (so it can apply updates idempotently and in any order), heartbeats renew
 * this gateway's lease, and a full snapshot is sent when presence-service asks for one or an
 * update was lost (the gateway is then "dirty").
 */
export class PresenceReporter {
  /** A new value per process start: presence-service drops the previous incarnation's sessions. */
  readonly incarnation = newId();
  private v = 0;
  private dirty = false;
  private readonly sessions = new Map<string, LocalSession>();
  private timer?: NodeJS.Timeout;
  private beating = false;

  constructor(private readonly opts: PresenceReporterOptions) {}

  get version(): number {
    return this.v;
  }

  get isDirty(): boolean {
    return this.dirty;
  }

  open(session: string, user: string, cid?: string): void {
    this.sessions.set(session, { user, connectedAt: Date.now(), rooms: new Set() });
    this.report(session, user, 'open', undefined, cid);
  }

  /** `close` implies leaving every room of the session. */
  close(session: string, cid?: string): void {
    const s = this.sessions.get(session);
    if (!s) return;
    this.sessions.delete(session);
    this.report(session, s.user, 'close', undefined, cid);
  }

  join(session: string, room: string, cid?: string): void {
    const s = this.sessions.get(session);
    if (!s || s.rooms.has(room)) return;
    s.rooms.add(room);
    this.report(session, s.user, 'join', room, cid);
  }

  leave(session: string, room: string, cid?: string): void {
    const s = this.sessions.get(session);
    if (!s || !s.rooms.delete(room)) return;
    this.report(session, s.user, 'leave', room, cid);
  }

  /**
   * Bytes one snapshot message may carry: the server's max_payload less headroom for the
   * envelope, or the configured budget when that is smaller.
   */
  get syncBudgetBytes(): number {
    const server = Math.max(MIN_BUDGET_BYTES, (this.opts.maxPayload?.() ?? DEFAULT_MAX_PAYLOAD) - REQUEST_HEADROOM_BYTES);
    return this.opts.syncChunkBytes ? Math.max(MIN_BUDGET_BYTES, Math.min(this.opts.syncChunkBytes, server)) : server;
  }

  snapshot(): SessionSnapshot[] {
    return [...this.sessions].map(([session, s]) => ({ session, user: s.user, connectedAt: s.connectedAt, rooms: [...s.rooms] }));
  }

  start(): void {
    this.timer = setInterval(() => void this.beat(), this.opts.heartbeatIntervalMs);
    this.timer.unref();
    void this.beat();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One heartbeat; then a snapshot if presence-service asked for it or an update was lost. */
  async beat(): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    try {
      let memberships = 0;
      for (const s of this.sessions.values()) memberships += s.rooms.size;
      const reply = await this.opts.services.heartbeat({
        gateway: this.opts.gateway,
        incarnation: this.incarnation,
        v: this.v,
        sessions: this.sessions.size,
        memberships,
        at: Date.now(),
      });
      if (reply.resync || this.dirty) await this.resync();
    } catch (err) {
      this.opts.logger.warn({ err: (err as Error).message }, 'presence heartbeat failed');
    } finally {
      this.beating = false;
    }
  }

  private async resync(): Promise<void> {
    // Cleared before the call: an update failing meanwhile sets it again.
    this.dirty = false;
    try {
      const snap: GatewaySnapshot = { gateway: this.opts.gateway, incarnation: this.incarnation, v: this.v, sessions: this.snapshot(), at: Date.now() };
      // Larger than one NATS message allows: parts, in order, each through the breaker. The
      // sync counts only when every part was accepted; presence applies it on the last one.
      const parts = splitSnapshot(snap, this.syncBudgetBytes);
      for (const part of parts) await this.opts.services.sync(part);
      this.opts.logger.info({ sessions: snap.sessions.length, v: snap.v, parts: parts.length }, 'presence snapshot sent');
    } catch (err) {
      this.dirty = true;
      throw err;
    }
  }

  private report(session: string, user: string, op: SessionUpdate['op'], room: string | undefined, cid?: string): void {
    const update: SessionUpdate = { gateway: this.opts.gateway, incarnation: this.incarnation, v: ++this.v, session, user, op, at: Date.now() };
    if (room !== undefined) update.room = room;
    this.opts.services.sessionUpdate(update, cid).catch((err: unknown) => {
      this.dirty = true;
      this.opts.logger.warn({ err: (err as Error).message, op, session, correlationId: cid }, 'presence update failed; will resync');
    });
  }
}
