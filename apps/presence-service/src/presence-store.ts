import { ReplyError } from 'ioredis';
import type { GatewayHeartbeat, GatewaySnapshot, SessionUpdate, SnapshotChunk } from '@relay/contracts';
import type { Redis } from '@relay/service-kit';
import { isPresenceError, presenceError } from './errors';
import { PresenceKeys } from './keys';
import { APPLY_UPDATE_LUA } from './lua/apply-update';
import { DUE_GATEWAYS_LUA } from './lua/due-gateways';
import { EXPIRE_GATEWAY_LUA } from './lua/expire-gateway';
import { APPLY_SNAPSHOT_SLICE_LUA } from './lua/apply-snapshot-slice';
import { HEARTBEAT_LUA } from './lua/heartbeat';
import { STAGE_SNAPSHOT_PART_LUA } from './lua/stage-snapshot-part';
import { readMembersPage, type MembersPage, type MembersPageOptions, type ScanRoom } from './room-members-page';
import { fromStreamEntry, parseTransitions, type Transition } from './transitions';

export interface StoreOptions {
  keyPrefix: string;
  tombstoneTtlMs: number;
  gatewayLeaseMs: number;
  /** Approximate cap of the outbox stream. */
  outboxMax?: number;
}

const SCRIPTS = {
  presenceApplyUpdate: APPLY_UPDATE_LUA,
  presenceHeartbeat: HEARTBEAT_LUA,
  presenceApplySnapshotSlice: APPLY_SNAPSHOT_SLICE_LUA,
  presenceDueGateways: DUE_GATEWAYS_LUA,
  presenceExpireGateway: EXPIRE_GATEWAY_LUA,
  presenceStageSnapshotPart: STAGE_SNAPSHOT_PART_LUA,
} as const;

type ScriptName = keyof typeof SCRIPTS;
type ScriptedRedis = Redis & Record<ScriptName, (...args: string[]) => Promise<unknown>>;

export type Admission = 'cur' | 'new' | 'stale';

export interface UpdateResult {
  applied: boolean;
  admitted: Admission;
  transitions: Transition[];
}

export interface HeartbeatResult {
  resync: boolean;
  cause: '' | 'unknown' | 'expired' | 'counts' | 'stale';
  sessions: number;
  memberships: number;
  transitions: Transition[];
}

export interface SyncResult {
  admitted: Admission;
  sessions: number;
  memberships: number;
  /** Transitions the snapshot made (already handed to `publish`, slice by slice). */
  events: number;
}

/**
 * A staged snapshot part: its set still incomplete (`held` parts so far), complete with this part
 * (the caller applies it with applySnapshot), or a repeat of a part already staged.
 */
export type StagedPart = { status: 'staged'; held: number } | { status: 'complete' } | { status: 'repeat' };

/**
 * Listed sessions per apply slice and sessions per sweep batch: each Lua run handles at most this
 * many, so it stays within a few milliseconds whatever the snapshot's size.
 */
export const SNAPSHOT_SLICE_SESSIONS = 100;

export interface PresenceStats {
  sessions: number;
  online: number;
  gateways: number;
}

/**
 * All presence state lives in Redis and every change goes through one script, so any number of
 * instances decide each transition exactly once. This class is the only code that talks to Redis.
 */
export class PresenceStore {
  readonly keys: PresenceKeys;
  private readonly redis: ScriptedRedis;

  constructor(
    redis: Redis,
    private readonly opts: StoreOptions,
  ) {
    this.keys = new PresenceKeys(opts.keyPrefix);
    for (const [name, lua] of Object.entries(SCRIPTS)) redis.defineCommand(name, { numberOfKeys: 1, lua });
    this.redis = redis as ScriptedRedis;
  }

  async applyUpdate(u: SessionUpdate, correlationId: string): Promise<UpdateResult> {
    const [head, transitions] = await this.script('presenceApplyUpdate', correlationId, [
      u.gateway, u.incarnation, String(u.v), u.session, u.user, u.op, u.room ?? '', String(u.at),
    ]);
    return { applied: head[0] === 1, admitted: admission(head[1]), transitions };
  }

  async heartbeat(hb: GatewayHeartbeat, correlationId: string): Promise<HeartbeatResult> {
    const [head, transitions] = await this.script('presenceHeartbeat', correlationId, [
      hb.gateway, hb.incarnation, String(hb.v), String(hb.sessions), String(hb.memberships),
    ]);
    return {
      resync: head[0] === 1,
      cause: String(head[1]) as HeartbeatResult['cause'],
      sessions: Number(head[2]),
      memberships: Number(head[3]),
      transitions,
    };
  }

  /**
   * Stages one part of a snapshot (lua/stage-snapshot-part), cut into slices of
   * SNAPSHOT_SLICE_SESSIONS. A one-message snapshot is a set of one part. Nothing is applied yet:
   * the call that answers `complete` applies the set with `applySnapshot`.
   */
  async stageSnapshotPart(snap: GatewaySnapshot, chunk: SnapshotChunk, ttlMs: number, correlationId: string): Promise<StagedPart> {
    const sessions = sessionsOf(snap);
    const slices: string[] = [];
    for (let i = 0; i < sessions.length; i += SNAPSHOT_SLICE_SESSIONS) slices.push(JSON.stringify(sessions.slice(i, i + SNAPSHOT_SLICE_SESSIONS)));
    const [head] = await this.script('presenceStageSnapshotPart', correlationId, [
      snap.gateway, snap.incarnation, String(snap.v), chunk.id, String(chunk.index), String(chunk.count), String(ttlMs),
      String(slices.length), ...slices, ...sessions.map((s) => s.session),
    ]);
    switch (head[0]) {
      case 'staged':
        return { status: 'staged', held: Number(head[1]) };
      case 'complete':
        return { status: 'complete' };
      case 'repeat':
        return { status: 'repeat' };
      case 'mismatch':
        throw presenceError('PRESENCE_CHUNK_INVALID', `part ${chunk.index} of ${chunk.id} differs from its set's incarnation, v or count`);
      case 'duplicate':
        throw presenceError('PRESENCE_SNAPSHOT_DUPLICATE', `session ${String(head[1])} is listed twice`);
      default:
        throw presenceError('PRESENCE_STORE_CORRUPT', `stage part returned ${JSON.stringify(head)}`);
    }
  }

  /**
   * Applies a complete staged snapshot slice by slice (lua/apply-snapshot-slice), handing each
   * slice's transitions to `publish` as soon as that slice made them. Only the caller whose part
   * completed the set runs this; if it dies midway the set expires, the gateway's sync fails, and
   * its next snapshot repairs what is left (applying a snapshot converges, whatever was done).
   */
  async applySnapshot(gateway: string, chunkId: string, ttlMs: number, correlationId: string, publish: (t: Transition[]) => void): Promise<SyncResult> {
    let events = 0;
    for (;;) {
      const [head, transitions] = await this.script('presenceApplySnapshotSlice', correlationId, [gateway, chunkId, String(ttlMs), String(SNAPSHOT_SLICE_SESSIONS)]);
      events += transitions.length;
      if (transitions.length > 0) publish(transitions);
      if (head[0] === 'more') continue;
      if (head[0] === 'applied') return { admitted: admission(head[1]), sessions: Number(head[2]), memberships: Number(head[3]), events };
      if (head[0] === 'gone') throw presenceError('PRESENCE_CHUNK_INVALID', `snapshot set ${chunkId} expired before it was applied`);
      throw presenceError('PRESENCE_STORE_CORRUPT', `apply slice returned ${JSON.stringify(head)}`);
    }
  }

  /** Gateways whose lease ran out (graced: presence itself was away, every lease was extended). */
  async dueGateways(limit: number, correlationId: string): Promise<{ graced: boolean; gateways: string[] }> {
    const [head, list] = await this.run('presenceDueGateways', correlationId, [String(limit)]);
    return { graced: head[0] === 1, gateways: list.map(String) };
  }

  async expireGateway(gateway: string, correlationId: string): Promise<{ expired: boolean; removed: number; transitions: Transition[] }> {
    const [head, transitions] = await this.script('presenceExpireGateway', correlationId, [gateway]);
    return { expired: head[0] === 1, removed: Number(head[1]), transitions };
  }

  /**
   * One page of the users with at least one live session in the room (room-members-page.ts
   * cuts it to the byte budget), and the room's member count: the hash's length, O(1).
   */
  async roomMembersPage(room: string, cursor: string, opts: MembersPageOptions): Promise<MembersPage & { count: number }> {
    const key = this.keys.room(room);
    const scan: ScanRoom = async (from, count) => {
      const [next, flat] = await this.guard(() => this.redis.hscan(key, from, 'COUNT', count));
      // HSCAN returns field, value, field, value...: the fields are the users.
      return { cursor: next, users: flat.filter((_x, i) => i % 2 === 0) };
    };
    const [count, page] = await Promise.all([this.guard(() => this.redis.hlen(key)), readMembersPage(scan, cursor, opts)]);
    return { ...page, count };
  }

  /**
   * One page of every online user (SSCAN of the online set, cut to the byte budget by the same
   * pager as a room's members), and how many are online: the set's size, O(1).
   */
  async onlineUsersPage(cursor: string, opts: MembersPageOptions): Promise<MembersPage & { count: number }> {
    const key = this.keys.online;
    const scan: ScanRoom = async (from, count) => {
      const [next, users] = await this.guard(() => this.redis.sscan(key, from, 'COUNT', count));
      return { cursor: next, users };
    };
    const [count, page] = await Promise.all([this.guard(() => this.redis.scard(key)), readMembersPage(scan, cursor, opts)]);
    return { ...page, count };
  }

  async online(users: string[]): Promise<string[]> {
    const flags = await this.guard(() => this.redis.smismember(this.keys.online, ...users));
    return users.filter((_u, i) => flags[i] === 1);
  }

  async stats(): Promise<PresenceStats> {
    return this.guard(async () => {
      const [sessions, online, gateways] = await Promise.all([
        this.redis.hget(this.keys.stats, 'sessions'),
        this.redis.scard(this.keys.online),
        this.redis.zcard(this.keys.leases),
      ]);
      return { sessions: Number(sessions ?? 0), online, gateways };
    });
  }

  /** Takes the right to republish stale outbox entries for `lockMs`; false when another instance holds it. */
  async claimOutboxDrain(instanceId: string, lockMs: number): Promise<boolean> {
    return (await this.guard(() => this.redis.set(this.keys.outboxLock, instanceId, 'PX', lockMs, 'NX'))) === 'OK';
  }

  /** Outbox entries made at or before `cutoff` (ms), oldest first, at most `count`. */
  async outboxEntriesUntil(cutoff: number, count: number): Promise<Transition[]> {
    const entries = await this.guard(() => this.redis.xrange(this.keys.outbox, '-', String(cutoff), 'COUNT', count));
    return entries.map(([id, fields]) => fromStreamEntry(id, fields));
  }

  /** Forgets outbox entries whose publish NATS confirmed. */
  async deleteOutboxEntries(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.guard(() => this.redis.xdel(this.keys.outbox, ...ids));
  }

  /** Runs a Redis call and turns its failures into the service's errors. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isPresenceError(err)) throw err;
      if (err instanceof ReplyError) throw presenceError('PRESENCE_SCRIPT_FAILED', undefined, err);
      throw presenceError('PRESENCE_STORE_UNAVAILABLE', undefined, err);
    }
  }

  /** Runs a script; its reply is always {header, list}: the list is transitions (or gateway ids). */
  private async run(name: ScriptName, correlationId: string, args: string[]): Promise<[unknown[], unknown[]]> {
    const common = [
      this.keys.outbox,
      this.opts.keyPrefix,
      correlationId,
      String(this.opts.tombstoneTtlMs),
      String(this.opts.outboxMax ?? 100000),
      String(this.opts.gatewayLeaseMs),
    ];
    const raw = await this.guard(() => this.redis[name](...common, ...args));
    if (!Array.isArray(raw) || raw.length !== 2 || !Array.isArray(raw[0]) || !Array.isArray(raw[1])) {
      throw presenceError('PRESENCE_STORE_CORRUPT', `${name} returned ${JSON.stringify(raw)}`);
    }
    return [raw[0] as unknown[], raw[1] as unknown[]];
  }

  private async script(name: ScriptName, correlationId: string, args: string[]): Promise<[unknown[], Transition[]]> {
    const [head, list] = await this.run(name, correlationId, args);
    return [head, parseTransitions(list)];
  }
}

/** Only the fields the scripts read, whatever else a message carried. */
function sessionsOf(snap: GatewaySnapshot) {
  return snap.sessions.map((s) => ({ session: s.session, user: s.user, connectedAt: s.connectedAt, rooms: s.rooms }));
}

function admission(v: unknown): Admission {
  if (v === 'cur' || v === 'new' || v === 'stale') return v;
  throw presenceError('PRESENCE_STORE_CORRUPT', `unknown admission ${String(v)}`);
}
