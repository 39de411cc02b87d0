/**
 * The JetStream streams of the platform, declared once: which catalog events each stream keeps,
 * which role owns (creates and updates) it, its default limits, and the durable consumers that
 * read it. Events that must survive a consumer's absence go through a stream; everything else
 * (the latency-critical fan-out) stays on core NATS. The bus permissions of owners and consumers
 * are derived from these declarations (bus-permissions.ts), like those of the catalog.
 */
import { RoomMention, UserOffline, UserOnline } from './catalog';
import type { BusRole, EventDef } from './catalog-types';

/** A durable consumer of a stream: its name is shared by every instance of `role`, which split the work. */
export interface DurableConsumerDef {
  readonly durable: string;
  readonly role: BusRole;
  /** Deliveries of one message before it is given up (logged and counted by the consumer). */
  readonly maxDeliver: number;
  /** How long a delivered message may stay unacknowledged before the server delivers it again. */
  readonly ackWaitMs: number;
}

/** How much a stream keeps; past either limit the oldest messages are discarded (docs/reliability.md). */
export interface StreamLimits {
  readonly maxAgeSec: number;
  readonly maxBytes: number;
}

export interface StreamDef {
  readonly kind: 'stream';
  /** Upper-case stream name, also the `STREAM_<NAME>_*` prefix of its limit variables. */
  readonly name: string;
  /** The events it keeps: their subjects, every parameter a wildcard. */
  readonly events: readonly EventDef[];
  /** The role that creates and updates the stream at start-up (its events' publisher). */
  readonly owner: BusRole;
  /** Defaults; the owner reads overrides from `STREAM_<NAME>_MAX_AGE_SEC` / `_MAX_BYTES`. */
  readonly limits: StreamLimits;
  /** Publishes with the same Nats-Msg-Id within this window are stored once. */
  readonly duplicateWindowMs: number;
  readonly consumers: readonly DurableConsumerDef[];
}

export function defineStream(def: Omit<StreamDef, 'kind'>): StreamDef {
  return { kind: 'stream', ...def };
}

const MIB = 1024 * 1024;
const DAY_SEC = 24 * 60 * 60;

/**
 * Stored messages that mention someone, for notification-service: a notification-service that is
 * down (a deploy, a crash) reads what it missed when it is back.
 */
export const MentionStream = defineStream({
  name: 'CHAT_MENTIONS',
  events: [RoomMention],
  owner: 'chat-service',
  limits: { maxAgeSec: 7 * DAY_SEC, maxBytes: 1024 * MIB },
  duplicateWindowMs: 2 * 60_000,
  consumers: [{ durable: 'notification-service', role: 'notification-service', maxDeliver: 10, ackWaitMs: 30_000 }],
});

/**
 * Users going online and offline. notification-service keeps reading them on core NATS (every
 * instance needs every event for its cache, and the stream captures the same subjects); backends
 * that must not miss one read the stream through their durable consumer.
 */
export const PresenceStream = defineStream({
  name: 'PRESENCE_EVENTS',
  events: [UserOnline, UserOffline],
  owner: 'presence-service',
  limits: { maxAgeSec: DAY_SEC, maxBytes: 256 * MIB },
  duplicateWindowMs: 2 * 60_000,
  consumers: [{ durable: 'app-backend', role: 'app-backend', maxDeliver: 10, ackWaitMs: 30_000 }],
});

/** Every stream of the platform. */
export const STREAMS: readonly StreamDef[] = [MentionStream, PresenceStream];

/** The stream that keeps `def`, if any. */
export function streamOf(def: EventDef): StreamDef | undefined {
  return STREAMS.find((s) => s.events.includes(def));
}

/** The consumer of `stream` named `durable`; an unknown name is a programming error. */
export function consumerOf(stream: StreamDef, durable: string): DurableConsumerDef {
  const c = stream.consumers.find((x) => x.durable === durable);
  if (!c) throw new Error(`stream ${stream.name} declares no consumer "${durable}"`);
  return c;
}
