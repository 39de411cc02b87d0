import type { Subscription } from '@relay/bus';
import {
  ChatHistory,
  ChatJoin,
  ChatSend,
  ContractError,
  newId,
  NotifyAck,
  NotifyPending,
  PresenceHeartbeat,
  PresenceRoomMembers,
  PresenceSessionUpdate,
  PresenceSync,
  RoomMessage,
  type ChatMessage,
  type GatewayHeartbeat,
  type GatewaySnapshot,
  type Notification,
  type SessionUpdate,
} from '@relay/contracts';
import { Bus } from '@relay/bus';
import { connect, type NatsConnection } from 'nats';

const silent = { warn: () => undefined, error: () => undefined };

/**
 * Tiny in-memory stand-ins for the services, answering the catalog requests over real NATS,
 * so the gateway can be tested alone. They follow the agreed contract, nothing more.
 */
export class FakeServices {
  readonly messages = new Map<string, ChatMessage[]>();
  readonly sendRequests: Array<{ room: string; clientMsgId?: string }> = [];
  /** Every ChatJoin as it arrives (before any hold or delay), so tests wait for it instead of sleeping. */
  readonly joinRequests: Array<{ room: string; since?: number }> = [];
  readonly updates: SessionUpdate[] = [];
  readonly heartbeats: GatewayHeartbeat[] = [];
  readonly syncs: GatewaySnapshot[] = [];
  readonly pending = new Map<string, Notification[]>();
  readonly acks: Array<{ user: string; ids: string[] }> = [];
  /**
   * Users whose NotifyPending arrived. A gateway subscribes to a user's notifications before it
   * asks for the pending ones, on one NATS connection: once the request is here, the server has
   * the subscription, and a notification published from now on reaches it.
   */
  readonly pendingRequests: string[] = [];
  /** Every NotifyAck as it arrives, failed ones included. */
  readonly ackAttempts: Array<{ user: string; ids: string[] }> = [];
  /** NotifyAck fails, so delivered notifications stay pending. */
  failAcks = false;
  members: string[] = [];
  resyncNext = false;
  /** Session updates fail (presence-service's Redis is down). */
  failUpdates = false;
  /** When set, ChatJoin replays at most this many messages per reply and says `more`. */
  joinPartSize?: number;
  /** When set, ChatJoin requests after the first part answer `recovered: false` (the room moved on). */
  laterJoinPartsUnrecoverable = false;
  /** Delay chat replies (a slow service). */
  chatDelayMs = 0;
  /** Do not publish the next N stored messages (lost publishes). */
  skipPublish = 0;
  private readonly cmids = new Map<string, { id: string; seq: number; ts: number }>();
  /** While set, ChatJoin replies wait for it (a join held in flight for as long as a test needs). */
  private joinGate?: Promise<void>;
  private chatSubs: Subscription[] = [];
  private otherSubs: Subscription[] = [];

  private constructor(
    readonly nc: NatsConnection,
    readonly bus: Bus,
  ) {}

  static async start(natsUrl: string): Promise<FakeServices> {
    const nc = await connect({ servers: natsUrl });
    const fake = new FakeServices(nc, new Bus(nc, { source: 'fake/test', logger: silent }));
    fake.startChat();
    fake.startPresence();
    fake.startNotification();
    await nc.flush();
    return fake;
  }

  startChat(): void {
    const bus = this.bus;
    const delay = () => (this.chatDelayMs > 0 ? new Promise((r) => setTimeout(r, this.chatDelayMs)) : Promise.resolve());
    this.chatSubs = [
      bus.serve(ChatSend, async (req) => {
        await delay();
        this.sendRequests.push({ room: req.room, clientMsgId: req.clientMsgId });
        const key = `${req.room}:${req.user}:${req.clientMsgId}`;
        const seen = req.clientMsgId ? this.cmids.get(key) : undefined;
        if (seen) return { ...seen, duplicate: true };
        const log = this.log(req.room);
        const msg: ChatMessage = { room: req.room, id: newId(), seq: log.length + 1, from: req.user, text: req.text, ts: Date.now() };
        log.push(msg);
        if (req.clientMsgId) this.cmids.set(key, { id: msg.id, seq: msg.seq, ts: msg.ts });
        if (this.skipPublish > 0) this.skipPublish--;
        else bus.publish(RoomMessage, { room: req.room }, msg);
        return { id: msg.id, seq: msg.seq, ts: msg.ts, duplicate: false };
      }),
      bus.serve(ChatJoin, async (req) => {
        this.joinRequests.push({ room: req.room, since: req.since });
        await this.joinGate;
        await delay();
        const log = this.log(req.room);
        const latest = log.length;
        if (req.since === undefined) return { seq: latest, messages: [] };
        if (req.since > latest || latest - req.since > req.cap) return { seq: latest, recovered: false, messages: [] };
        const laterPart = this.joinRequests.filter((r) => r.room === req.room).length > 1 && req.since > 0;
        if (laterPart && this.laterJoinPartsUnrecoverable) return { seq: latest, recovered: false, messages: [] };
        const missed = log.slice(req.since);
        if (this.joinPartSize !== undefined && missed.length > this.joinPartSize) {
          return { seq: latest, recovered: true, messages: missed.slice(0, this.joinPartSize), more: true };
        }
        return { seq: latest, recovered: true, messages: missed };
      }),
      bus.serve(ChatHistory, async (req) => {
        await delay();
        if (req.room === 'rejectme') throw new ContractError('REJECTED', 'refused by the fake', 'chat-service');
        const log = this.log(req.room);
        const before = req.before ?? log.length + 1;
        const older = log.filter((m) => m.seq < before);
        return { messages: older.slice(Math.max(0, older.length - req.limit)) };
      }),
    ];
  }

  /**
   * Holds every ChatJoin reply until the returned release is called. The reply is built after
   * the release, from the log as it is then, as a real chat-service answering late would.
   */
  holdJoins(): () => void {
    let release!: () => void;
    this.joinGate = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.joinGate = undefined;
      release();
    };
  }

  stopChat(): void {
    for (const s of this.chatSubs) s.unsubscribe();
    this.chatSubs = [];
  }

  /** Stores a message as chat-service would, and publishes it (unless told otherwise). */
  publishStored(room: string, text: string, from = 'system', publish = true): ChatMessage {
    const log = this.log(room);
    const msg: ChatMessage = { room, id: newId(), seq: log.length + 1, from, text, ts: Date.now() };
    log.push(msg);
    if (publish) this.bus.publish(RoomMessage, { room }, msg);
    return msg;
  }

  private startPresence(): void {
    const bus = this.bus;
    this.otherSubs.push(
      bus.serve(PresenceSessionUpdate, async (u) => {
        if (this.failUpdates) throw new ContractError('DEPENDENCY_DOWN', 'redis is down', 'presence-service');
        this.updates.push(u);
        return { applied: true };
      }),
      bus.serve(PresenceHeartbeat, async (h) => {
        this.heartbeats.push(h);
        const resync = this.resyncNext;
        this.resyncNext = false;
        return { resync, leaseMs: 10000 };
      }),
      bus.serve(PresenceSync, async (s) => {
        this.syncs.push(s);
        return { sessions: s.sessions.length, memberships: s.sessions.reduce((n, x) => n + x.rooms.length, 0) };
      }),
      bus.serve(PresenceRoomMembers, async () => ({ users: this.members, count: this.members.length })),
    );
  }

  private startNotification(): void {
    const bus = this.bus;
    this.otherSubs.push(
      bus.serve(NotifyPending, async (req) => {
        this.pendingRequests.push(req.user);
        return { notifications: (this.pending.get(req.user) ?? []).slice(req.offset ?? 0) };
      }),
      bus.serve(NotifyAck, async (req) => {
        this.ackAttempts.push(req);
        // Lost confirmations (the service's Redis is down, or a crash before the ack): nothing removed.
        if (this.failAcks) throw new ContractError('DEPENDENCY_DOWN', 'acks fail in this test', 'notification-service');
        this.acks.push(req);
        const left = (this.pending.get(req.user) ?? []).filter((n) => !req.ids.includes(n.id));
        this.pending.set(req.user, left);
        return { removed: req.ids.length };
      }),
    );
  }

  private log(room: string): ChatMessage[] {
    let log = this.messages.get(room);
    if (!log) {
      log = [];
      this.messages.set(room, log);
    }
    return log;
  }

  async close(): Promise<void> {
    await this.nc.drain();
  }
}
