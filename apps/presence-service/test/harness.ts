import {
  PresenceHeartbeat,
  PresenceOnline,
  PresenceRoomMembers,
  PresenceSessionUpdate,
  PresenceSync,
  RoomMember,
  UserOffline,
  UserOnline,
  type SessionSnapshot,
  type SessionUpdate,
  type SnapshotChunk,
} from '@relay/contracts';
import { Bus } from '@relay/bus';
import { natsEnvFor, uniqueName, waitFor } from '@relay/testing';
import { connect, type NatsConnection } from 'nats';
import pino from 'pino';
import { buildApp, type PresenceApp } from '../src/app';
import { readConfig } from '../src/config';

export const silent = pino({ level: 'silent' });

/** A presence-service in-process on the given NATS and Redis; env overrides the defaults. */
export function startPresence(natsUrl: string, redisUrl: string, env: Record<string, string> = {}): Promise<PresenceApp> {
  const config = readConfig({
    ...natsEnvFor(natsUrl, 'presence-service'),
    REDIS_URL: redisUrl,
    HEALTH_PORT: '0',
    INSTANCE_ID: uniqueName('presence'),
    SHUTDOWN_TIMEOUT_MS: '5000',
    ...env,
  });
  return buildApp(config, { logger: silent });
}

/** A Bus on its own NATS connection: plays the gateway, or a backend service listening to events. */
export async function clientBus(natsUrl: string, name = 'test-client'): Promise<Bus> {
  const nc: NatsConnection = await connect({ servers: natsUrl, name });
  return new Bus(nc, { source: `test/${name}`, logger: silent });
}

/** The gateway side of the protocol, with a counter `v` per incarnation like a real gateway. */
export class FakeGateway {
  v = 0;
  incarnation = uniqueName('inc');

  constructor(
    readonly bus: Bus,
    readonly id = uniqueName('gw'),
  ) {}

  /** Sends an update with the next v (or the given one, to reorder on purpose). */
  update(op: SessionUpdate['op'], session: string, user: string, room?: string, v = ++this.v) {
    this.v = Math.max(this.v, v);
    return this.bus.request(
      PresenceSessionUpdate,
      { gateway: this.id, incarnation: this.incarnation, v, session, user, op, room, at: Date.now() },
      { timeoutMs: 3000 },
    );
  }

  heartbeat(sessions: number, memberships: number, v = this.v) {
    return this.bus.request(
      PresenceHeartbeat,
      { gateway: this.id, incarnation: this.incarnation, v, sessions, memberships, at: Date.now() },
      { timeoutMs: 3000 },
    );
  }

  sync(sessions: SessionSnapshot[], v = this.v) {
    return this.bus.request(PresenceSync, { gateway: this.id, incarnation: this.incarnation, v, sessions, at: Date.now() }, { timeoutMs: 5000 });
  }

  /** One part of a chunked snapshot (as a gateway sends when the whole would exceed max_payload). */
  syncPart(sessions: SessionSnapshot[], chunk: SnapshotChunk, v = this.v) {
    return this.bus.request(PresenceSync, { gateway: this.id, incarnation: this.incarnation, v, sessions, at: Date.now(), chunk }, { timeoutMs: 5000 });
  }

  /** The same gateway id started again: a new incarnation, v from zero. */
  restart(): void {
    this.incarnation = uniqueName('inc');
    this.v = 0;
  }
}

/** Every member of the room, following the reply's cursor over all pages (as the gateway does). */
export async function members(bus: Bus, room: string): Promise<string[]> {
  const users = new Set<string>();
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await bus.request(PresenceRoomMembers, cursor ? { room, cursor } : { room }, { timeoutMs: 3000 });
    for (const u of page.users) users.add(u);
    cursor = page.cursor;
    if (!cursor || cursor === '0') return [...users].sort();
  }
  throw new Error(`members of ${room}: still more pages after 1000`);
}

export async function online(bus: Bus, users: string[]): Promise<string[]> {
  return (await bus.request(PresenceOnline, { users }, { timeoutMs: 3000 })).online;
}

export interface SeenEvent {
  kind: 'join' | 'leave' | 'online' | 'offline';
  user: string;
  room?: string;
  reason?: string;
  id: string;
  receivedAt: number;
}

/** Records every member and lifecycle event, as a gateway or a backend service would see them. */
export class EventLog {
  readonly events: SeenEvent[] = [];

  constructor(bus: Bus) {
    const add = (e: Omit<SeenEvent, 'receivedAt'>) => {
      this.events.push({ ...e, receivedAt: Date.now() });
    };
    bus.subscribe(RoomMember, '*', (e, meta) => add({ kind: e.event, user: e.user, room: e.room, id: meta.envelopeId }));
    bus.subscribe(UserOnline, {}, (e, meta) => add({ kind: 'online', user: e.user, reason: e.reason, id: meta.envelopeId }));
    bus.subscribe(UserOffline, {}, (e, meta) => add({ kind: 'offline', user: e.user, reason: e.reason, id: meta.envelopeId }));
  }

  /** Makes sure the subscriptions are registered with the server before a test acts. */
  static async create(bus: Bus): Promise<EventLog> {
    const log = new EventLog(bus);
    await bus.nc.flush();
    return log;
  }

  of(pred: Partial<SeenEvent>): SeenEvent[] {
    return this.events.filter((e) => Object.entries(pred).every(([k, v]) => (e as unknown as Record<string, unknown>)[k] === v));
  }

  /** Waits until `count` events match (bounded), and returns them. */
  async wait(pred: Partial<SeenEvent>, count = 1, timeoutMs = 5000): Promise<SeenEvent[]> {
    return waitFor(() => {
      const found = this.of(pred);
      return found.length >= count ? found : undefined;
    }, { timeoutMs, intervalMs: 10, what: `${count} event(s) ${JSON.stringify(pred)}; seen ${JSON.stringify(this.events.slice(-8))}` });
  }
}
