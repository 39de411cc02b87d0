import type { ChatMessage, Notification } from '@relay/client';

export type { Notification };

/** A message the user sent that the page has not yet seen come back as a `message` frame. */
export interface PendingSend {
  room: string;
  text: string;
  /** Set once `sent` arrived. */
  id?: string;
  failed?: string;
}

export const TYPING_SHOW_MS = 3000;

/** One room as the page knows it. Messages are keyed by seq; ids guard against duplicates. */
export class RoomState {
  /** Ascending by seq. */
  readonly messages: ChatMessage[] = [];
  readonly members = new Set<string>();
  /** user -> time (ms) until which "is typing" shows. */
  readonly typing = new Map<string, number>();
  readonly pending: PendingSend[] = [];
  private readonly ids = new Set<string>();
  private readonly seqs = new Set<number>();
  /** Highest seq this page has seen the room at: the `since` for the next join. */
  lastSeq?: number;
  /** The room's store generation `lastSeq` belongs to; a later one means seqs started over. */
  epoch?: string;
  /** False once history paging reached seq 1. */
  hasOlder = true;
  unread = 0;

  constructor(readonly name: string) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Adds a message unless its id or seq is already there; keeps seq order. Returns whether it was new. */
  add(m: ChatMessage): boolean {
    if (m.epoch !== undefined && m.epoch !== this.epoch) {
      // Epochs sort by time: an earlier one is a stale frame; a later one is a reset store.
      if (this.epoch !== undefined && m.epoch < this.epoch) return false;
      if (this.epoch !== undefined) this.reset(m.seq - 1);
      this.epoch = m.epoch;
    }
    if (this.ids.has(m.id) || this.seqs.has(m.seq)) return false;
    this.ids.add(m.id);
    this.seqs.add(m.seq);
    const last = this.messages[this.messages.length - 1];
    if (!last || last.seq < m.seq) this.messages.push(m);
    else this.messages.splice(this.insertionIndex(m.seq), 0, m);
    if (this.lastSeq === undefined || m.seq > this.lastSeq) this.lastSeq = m.seq;
    if (m.seq === 1) this.hasOlder = false;
    this.typing.delete(m.from);
    return true;
  }

  get oldestSeq(): number | undefined {
    return this.messages[0]?.seq;
  }

  /** Drops every message (recovery impossible): the room is refilled from history. */
  reset(latestSeq: number): void {
    this.messages.length = 0;
    this.ids.clear();
    this.seqs.clear();
    this.lastSeq = latestSeq;
    this.hasOlder = latestSeq > 0;
  }

  /** Pending sends still worth showing: not failed-and-delivered, not yet echoed back. */
  visiblePending(): PendingSend[] {
    return this.pending.filter((p) => p.id === undefined || !this.ids.has(p.id));
  }

  typingUsers(now: number): string[] {
    return [...this.typing].filter(([, until]) => until > now).map(([user]) => user).sort();
  }

  private insertionIndex(seq: number): number {
    let lo = 0;
    let hi = this.messages.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.messages[mid].seq < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Everything the page shows, independent of the DOM so it can be unit tested. */
export class ChatState {
  readonly rooms = new Map<string, RoomState>();
  readonly notifications: Notification[] = [];
  private readonly notificationIds = new Set<string>();
  activeRoom?: string;

  room(name: string): RoomState {
    let r = this.rooms.get(name);
    if (!r) {
      r = new RoomState(name);
      this.rooms.set(name, r);
    }
    return r;
  }

  removeRoom(name: string): void {
    this.rooms.delete(name);
    if (this.activeRoom === name) this.activeRoom = this.rooms.keys().next().value;
  }

  /** A live or replayed message; counts as unread when its room is not the active one. */
  addMessage(m: ChatMessage): boolean {
    const room = this.rooms.get(m.room);
    if (!room) return false; // a late frame for a room already left
    const added = room.add(m);
    if (added && m.room !== this.activeRoom) room.unread++;
    return added;
  }

  /** Returns false for a notification id already seen (redelivery after a gateway crash). */
  addNotification(n: Notification): boolean {
    if (this.notificationIds.has(n.id)) return false;
    this.notificationIds.add(n.id);
    this.notifications.unshift(n);
    return true;
  }

  setTyping(room: string, user: string, now: number): void {
    this.rooms.get(room)?.typing.set(user, now + TYPING_SHOW_MS);
  }
}
