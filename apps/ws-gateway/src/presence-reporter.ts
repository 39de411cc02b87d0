import { newId, type SessionSnapshot, type SessionUpdate } from '@relay/contracts';
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
      await this.opts.services.sync({ gateway: this.opts.gateway, incarnation: this.incarnation, v: this.v, sessions: this.snapshot(), at: Date.now() });
      this.opts.logger.info({ sessions: this.sessions.size, v: this.v }, 'presence snapshot sent');
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
