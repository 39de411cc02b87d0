/**
 * Redis keys of one room. They share the hash tag `{room}` so a room lives in one Redis
 * Cluster slot and the append script may touch all of them atomically.
 * Room and user names are subject tokens (`[A-Za-z0-9_-]`), so they cannot break the tag.
 */
export interface RoomKeys {
  /** INCR counter: the room's latest seq. */
  seq: string;
  /** Sorted set of message JSON scored by seq: the capped history. */
  log: string;
  /** "<epoch>|<redis run id>": the room's store generation (lua/ensure-epoch.ts). */
  epoch: string;
}

export function roomKeys(room: string): RoomKeys {
  return { seq: `chat:{${room}}:seq`, log: `chat:{${room}}:log`, epoch: `chat:{${room}}:epoch` };
}

/** Remembers a send by (user, room, clientMsgId) for the idempotency window. */
export function clientMsgIdKey(room: string, user: string, clientMsgId: string): string {
  return `chat:{${room}}:cmid:${user}:${clientMsgId}`;
}
