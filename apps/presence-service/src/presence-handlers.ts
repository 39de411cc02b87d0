/** presence-service's five requests, served in the `presence-service` queue group. */
import {
  newId,
  PresenceHeartbeat,
  PresenceOnline,
  PresenceRoomMembers,
  PresenceSessionUpdate,
  PresenceSync,
  type GatewaySnapshot,
} from '@relay/contracts';
import type { Subscription } from '@relay/bus';
import type { Logger, ServiceContext } from '@relay/service-kit';
import type { PresenceConfig } from './config';
import { presenceError } from './errors';
import type { EventOutbox } from './event-outbox';
import type { PresenceMetrics } from './metrics';
import type { PresenceStore, SyncResult } from './presence-store';
import { MEMBERS_PAGE_DEFAULTS } from './room-members-page';

export interface HandlerDeps {
  store: PresenceStore;
  outbox: EventOutbox;
  metrics: PresenceMetrics;
  leaseMs: number;
  /** How long the parts of a chunked snapshot wait for the rest of their set. */
  snapshotPartTtlMs: number;
}

/** Serves the five presence requests in the `presence-service` queue group. */
export function servePresence(ctx: ServiceContext<PresenceConfig>, deps: HandlerDeps): Subscription[] {
  const { store, outbox, metrics, leaseMs, snapshotPartTtlMs } = deps;

  /**
   * Stages a snapshot part (a one-message snapshot is a set of one part); the part that completes
   * its set (at whichever instance it arrives) applies the whole snapshot, in bounded slices, and
   * publishes each slice's events at once; `undefined` until then.
   */
  const applySnapshot = async (snap: GatewaySnapshot, correlationId: string, log: Logger): Promise<SyncResult | undefined> => {
    const ids = new Set<string>();
    for (const s of snap.sessions) {
      if (ids.has(s.session)) throw presenceError('PRESENCE_SNAPSHOT_DUPLICATE', `session ${s.session} is listed twice`);
      ids.add(s.session);
    }
    const chunk = snap.chunk ?? { id: newId(), index: 0, count: 1 };
    if (chunk.index >= chunk.count) throw presenceError('PRESENCE_CHUNK_INVALID', `part index ${chunk.index} is not below its count ${chunk.count}`);
    const staged = await store.stageSnapshotPart(snap, chunk, snapshotPartTtlMs, correlationId);
    if (snap.chunk) metrics.snapshotParts.inc({ result: staged.status === 'complete' ? 'completed' : 'staged' });
    if (staged.status === 'complete') return store.applySnapshot(snap.gateway, chunk.id, snapshotPartTtlMs, correlationId, (t) => outbox.publish(t));
    log.debug({ gateway: snap.gateway, chunk: chunk.id, index: chunk.index, count: chunk.count, status: staged.status }, 'snapshot part staged');
    return undefined;
  };

  return [
    ctx.serve(
      PresenceSessionUpdate,
      async (u, meta, log) => {
        if ((u.op === 'join' || u.op === 'leave') && !u.room) throw presenceError('PRESENCE_ROOM_REQUIRED', `${u.op} without a room`);
        const r = await store.applyUpdate(u, meta.correlationId);
        outbox.publish(r.transitions);
        if (r.admitted === 'stale') {
          metrics.staleIncarnation.inc({ op: 'session' });
          log.info({ gateway: u.gateway, incarnation: u.incarnation }, 'update from a retired gateway incarnation ignored');
        } else if (r.admitted === 'new') {
          log.info({ gateway: u.gateway, incarnation: u.incarnation }, 'gateway registered by a session update');
        }
        log.debug({ gateway: u.gateway, session: u.session, op: u.op, v: u.v, applied: r.applied, events: r.transitions.length }, 'session update');
        return { applied: r.applied };
      },
    ),

    ctx.serve(
      PresenceHeartbeat,
      async (hb, meta, log) => {
        const r = await store.heartbeat(hb, meta.correlationId);
        outbox.publish(r.transitions);
        if (r.cause === 'stale') metrics.staleIncarnation.inc({ op: 'heartbeat' });
        if (r.resync) {
          metrics.resyncs.inc({ cause: r.cause });
          log.info(
            { gateway: hb.gateway, incarnation: hb.incarnation, cause: r.cause, theirs: { sessions: hb.sessions, memberships: hb.memberships }, ours: { sessions: r.sessions, memberships: r.memberships } },
            'asking gateway for a snapshot',
          );
        }
        return { resync: r.resync, leaseMs };
      },
    ),

    ctx.serve(
      PresenceSync,
      async (snap, meta, log) => {
        const r = await applySnapshot(snap, meta.correlationId, log);
        // A part before the last: staged, nothing applied yet, so there are no counts to report.
        if (!r) return { sessions: 0, memberships: 0 };
        if (r.admitted === 'stale') {
          metrics.staleIncarnation.inc({ op: 'sync' });
          log.info({ gateway: snap.gateway, incarnation: snap.incarnation }, 'snapshot from a retired gateway incarnation ignored');
        } else {
          metrics.snapshots.inc();
          log.info(
            { gateway: snap.gateway, v: snap.v, parts: snap.chunk?.count ?? 1, sessions: r.sessions, memberships: r.memberships, events: r.events },
            'gateway snapshot applied',
          );
        }
        return { sessions: r.sessions, memberships: r.memberships };
      },
    ),

    ctx.serve(
      PresenceRoomMembers,
      async ({ room, cursor }) => {
        // One reply must fit one NATS message: a large room is read in pages (HSCAN), each cut
        // to the bus's reply budget; the caller follows `cursor` until it is absent.
        const page = await store.roomMembersPage(room, cursor ?? '0', { ...MEMBERS_PAGE_DEFAULTS, budgetBytes: ctx.bus.replyBudgetBytes });
        return page.cursor === '0' ? { users: page.users, count: page.count } : page;
      },
    ),

    ctx.serve(
      PresenceOnline,
      async ({ users }) => ({ online: await store.online(users) }),
    ),
  ];
}
