import { messageFrame, RoomMember, RoomMessage, RoomTyping, type ChatMessage, type MemberEvent, type TypingEvent } from '@relay/contracts';
import type { Bus, MessageMeta, Subscription } from '@relay/bus';
import { activeTraceContext, setActiveSpanAttribute, withSpan, type Logger, type TraceContext } from '@relay/service-kit';
import type { Connection } from './connection';
import type { GatewayMetrics } from './metrics';
import type { RoomRegistry } from './room-registry';
import { RoomSequencer } from './room-sequencer';
import { WireFrame } from './wire-frame';

interface RoomSubscription {
  subs: Subscription[];
  sequencer: RoomSequencer;
}

export interface RoomSubscriptionsDeps {
  bus: Bus;
  registry: RoomRegistry;
  metrics: GatewayMetrics;
  logger: Logger;
  gapWaitMs: number;
  /** Stored messages with seq in [from, to], to fill a hole in the live stream. */
  fetchRange: (room: string, from: number, to: number) => Promise<ChatMessage[]>;
}

/**
 * Interest-based fan-out: the gateway subscribes a room's subjects (message, typing, member)
 * when its first local connection joins and drops them when the last one leaves, so it never
 * receives traffic for rooms nobody here has joined.
 */
export class RoomSubscriptions {
  private readonly rooms = new Map<string, RoomSubscription>();
  /**
   * With tracing on: the trace context each live message arrived in (the consumer span, a child of
   * chat-service's publish), kept until its fan-out, which may come later when it waited for a gap.
   */
  private readonly arrivedIn = new WeakMap<ChatMessage, TraceContext>();

  constructor(private readonly deps: RoomSubscriptionsDeps) {}

  /** Adds a member; the first one subscribes the room (before any join request goes out). */
  addMember(room: string, conn: Connection): void {
    if (this.deps.registry.join(room, conn)) this.subscribe(room);
  }

  /** Removes a member; the last one unsubscribes the room. */
  removeMember(room: string, conn: Connection): void {
    if (this.deps.registry.leave(room, conn)) this.unsubscribe(room);
  }

  /** The room's latest seq (in its epoch) from a join reply anchors its live stream. */
  anchor(room: string, latest: number, epoch?: string): void {
    this.rooms.get(room)?.sequencer.anchor(latest, epoch);
  }

  /** The room's settled stream position (RoomSequencer.settled), when this gateway follows the room. */
  settledPosition(room: string): { epoch?: string; seq: number } | undefined {
    return this.rooms.get(room)?.sequencer.settled;
  }

  isSubscribed(room: string): boolean {
    return this.rooms.has(room);
  }

  /** The rooms this gateway holds (has a local member in). */
  roomNames(): string[] {
    return [...this.rooms.keys()];
  }

  /** See RoomSequencer.catchUp: fetches a missed tail of the room; returns how many messages came. */
  catchUp(room: string, latest: number, epoch: string | undefined, max: number): Promise<number> {
    return this.rooms.get(room)?.sequencer.catchUp(latest, epoch, max) ?? Promise.resolve(0);
  }

  private subscribe(room: string): void {
    const { bus, logger } = this.deps;
    const sequencer = new RoomSequencer({
      deliver: (msg) => this.fanOutMessage(msg),
      fetchGap: (from, to) => this.deps.fetchRange(room, from, to),
      gapWaitMs: this.deps.gapWaitMs,
      onError: (err) => logger.warn({ err, room }, 'could not fill a gap in the live stream; trying again'),
      onDropped: (msg) => logger.warn({ room, seq: msg.seq, id: msg.id }, 'live message far ahead that history does not know: dropped'),
      onSkipped: ({ from, to, count, reason, err }) => {
        // Members of this room miss these seqs live (clients see the gap and page with `history`).
        logger.error({ room, from, to, count, reason, err }, 'messages skipped in the live stream');
        this.deps.metrics.skippedMessages.inc({ reason }, count);
      },
    });
    const subs = [
      bus.subscribe(RoomMessage, { room }, (msg, meta) => {
        if (!this.matchesSubject(room, msg, meta)) return;
        if (bus.tracing) this.arrivedIn.set(msg, activeTraceContext());
        sequencer.accept(msg);
      }),
      bus.subscribe(RoomTyping, { room }, (evt, meta) => {
        if (this.matchesSubject(room, evt, meta)) this.fanOutTyping(evt);
      }),
      bus.subscribe(RoomMember, { room }, (evt, meta) => {
        if (this.matchesSubject(room, evt, meta)) this.fanOutMember(evt);
      }),
    ];
    this.rooms.set(room, { subs, sequencer });
    this.deps.metrics.roomSubscriptions.set(this.rooms.size);
  }

  /**
   * Fan-out goes by the payload's room, so an event published on one room's subject but
   * naming another room (a buggy or hostile publisher) would reach the other room's members
   * and corrupt its seq stream. The subject is what we subscribed to: anything else is dropped.
   */
  private matchesSubject(room: string, payload: { room: string }, meta: MessageMeta): boolean {
    if (payload.room === room) return true;
    this.deps.logger.warn({ subject: meta.subject, room, payloadRoom: payload.room, correlationId: meta.correlationId }, 'event for another room on this room subject dropped');
    this.deps.metrics.droppedFrames.inc({ reason: 'subject-mismatch' });
    return false;
  }

  private unsubscribe(room: string): void {
    const entry = this.rooms.get(room);
    if (!entry) return;
    this.rooms.delete(room);
    entry.sequencer.stop();
    for (const sub of entry.subs) sub.unsubscribe();
    this.deps.metrics.roomSubscriptions.set(this.rooms.size);
  }

  /** With tracing on, one span per room fan-out (not per recipient), in the trace of the message's publish. */
  private fanOutMessage(msg: ChatMessage): void {
    if (!this.deps.bus.tracing) return this.deliverMessage(msg);
    const attributes = { 'relay.room': msg.room, 'relay.seq': msg.seq };
    withSpan('room fan-out', 'internal', attributes, () => this.deliverMessage(msg), this.arrivedIn.get(msg) ?? activeTraceContext());
  }

  /** Encodes the message once; the same string goes to every local member. */
  private deliverMessage(msg: ChatMessage): void {
    const members = this.deps.registry.members(msg.room);
    if (!members) return;
    // Encoded once, WebSocket header included: every member's socket writes the same bytes.
    const frame = WireFrame.text(JSON.stringify(messageFrame(msg)));
    let written = 0;
    for (const conn of members) if (conn.deliverMessage(msg.room, msg.seq, frame, msg.epoch)) written++;
    if (this.deps.bus.tracing) setActiveSpanAttribute('relay.recipients', written);
    if (written > 0) {
      const { metrics } = this.deps;
      metrics.deliveries.inc(written);
      metrics.framesOut.inc({ type: 'message' }, written);
      metrics.fanoutSeconds.observe(Math.max(0, Date.now() - msg.ts) / 1000);
    }
  }

  private fanOutTyping(evt: TypingEvent): void {
    const members = this.deps.registry.members(evt.room);
    if (!members) return;
    const frame = WireFrame.text(JSON.stringify({ type: 'typing', room: evt.room, user: evt.user }));
    let written = 0;
    for (const conn of members) {
      // Everyone joined gets it except the connection that typed.
      if (conn.session !== evt.session && conn.deliverEphemeral(evt.room, frame, 'typing')) written++;
    }
    if (written > 0) this.deps.metrics.framesOut.inc({ type: 'typing' }, written);
  }

  private fanOutMember(evt: MemberEvent): void {
    const members = this.deps.registry.members(evt.room);
    if (!members) return;
    const frame = WireFrame.text(JSON.stringify({ type: 'member', room: evt.room, user: evt.user, event: evt.event }));
    let written = 0;
    for (const conn of members) if (conn.deliverEphemeral(evt.room, frame, 'member')) written++;
    if (written > 0) this.deps.metrics.framesOut.inc({ type: 'member' }, written);
  }
}
