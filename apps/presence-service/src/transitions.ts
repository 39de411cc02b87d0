import { presenceError } from './errors';

export type TransitionKind = 'join' | 'leave' | 'online' | 'offline';
export type LifecycleReason = 'connect' | 'disconnect' | 'gateway-expired' | 'resync';

/**
 * One change decided by a script and recorded in the outbox: a room member event (join/leave,
 * `room` set) or a user lifecycle event (online/offline, `reason` set). `id` is the outbox
 * stream id; it becomes the event's envelope id, so a republished event keeps its dedup id.
 */
export interface Transition {
  id: string;
  kind: TransitionKind;
  user: string;
  room: string;
  reason: LifecycleReason | '';
  at: number;
  correlationId: string;
}

const KINDS = new Set<string>(['join', 'leave', 'online', 'offline']);
const REASONS = new Set<string>(['', 'connect', 'disconnect', 'gateway-expired', 'resync']);

/** Reads the transitions a script returned: {id, kind, user, room, reason, at, cid} each. */
export function parseTransitions(raw: unknown): Transition[] {
  if (!Array.isArray(raw)) throw presenceError('PRESENCE_STORE_CORRUPT', 'transitions are not a list');
  return raw.map((t) => fromFields(t));
}

/** Reads an outbox stream entry's field list (e, u, r, why, at, c pairs). */
export function fromStreamEntry(id: string, fields: string[]): Transition {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]] = fields[i + 1];
  return fromFields([id, f.e, f.u, f.r ?? '', f.why ?? '', f.at, f.c ?? '']);
}

function fromFields(t: unknown): Transition {
  if (!Array.isArray(t) || t.length < 7) throw presenceError('PRESENCE_STORE_CORRUPT', 'a transition has the wrong shape');
  const [id, kind, user, room, reason, at, correlationId] = t.map(String);
  if (!KINDS.has(kind) || !REASONS.has(reason) || !Number.isFinite(Number(at))) {
    throw presenceError('PRESENCE_STORE_CORRUPT', `unreadable transition ${JSON.stringify(t)}`);
  }
  return { id, kind: kind as TransitionKind, user, room, reason: reason as LifecycleReason | '', at: Number(at), correlationId };
}
