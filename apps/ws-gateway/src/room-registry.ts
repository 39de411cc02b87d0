import type { Connection } from './connection';

/**
 * Local connections indexed by room and by user, so fan-out touches only the members of a
 * room and notifications only the user's connections: never a scan of every socket.
 */
export class RoomRegistry {
  private readonly byRoom = new Map<string, Set<Connection>>();
  private readonly byUser = new Map<string, Set<Connection>>();
  private readonly all = new Set<Connection>();

  get connectionCount(): number {
    return this.all.size;
  }

  get roomCount(): number {
    return this.byRoom.size;
  }

  connections(): IterableIterator<Connection> {
    return this.all.values();
  }

  addConnection(conn: Connection): void {
    this.all.add(conn);
    addTo(this.byUser, conn.user, conn);
  }

  removeConnection(conn: Connection): void {
    this.all.delete(conn);
    removeFrom(this.byUser, conn.user, conn);
  }

  /** Returns true when this is the room's first local member. */
  join(room: string, conn: Connection): boolean {
    return addTo(this.byRoom, room, conn);
  }

  /** Returns true when this was the room's last local member. */
  leave(room: string, conn: Connection): boolean {
    return removeFrom(this.byRoom, room, conn);
  }

  /** Each room with its number of local members (for the ops page; not on a hot path). */
  *roomSizes(): IterableIterator<[room: string, members: number]> {
    for (const [room, conns] of this.byRoom) yield [room, conns.size];
  }

  members(room: string): ReadonlySet<Connection> | undefined {
    return this.byRoom.get(room);
  }

  connectionsOf(user: string): ReadonlySet<Connection> | undefined {
    return this.byUser.get(user);
  }
}

function addTo(index: Map<string, Set<Connection>>, key: string, conn: Connection): boolean {
  let set = index.get(key);
  const first = !set;
  if (!set) {
    set = new Set();
    index.set(key, set);
  }
  set.add(conn);
  return first;
}

function removeFrom(index: Map<string, Set<Connection>>, key: string, conn: Connection): boolean {
  const set = index.get(key);
  if (!set || !set.delete(conn)) return false;
  if (set.size > 0) return false;
  index.delete(key);
  return true;
}
