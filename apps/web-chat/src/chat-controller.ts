import { RelayError, type ChatMessage, type JoinResult, type RelayClient } from '@relay/client';
import { ChatState, type PendingSend, type RoomState } from './chat-state';

/** What the controller needs of the client (a RelayClient; a fake in unit tests). */
export type ChatClient = Pick<RelayClient, 'on' | 'join' | 'leave' | 'send' | 'history' | 'presence' | 'typing'>;

export const HISTORY_PAGE = 50;
const TYPING_SEND_EVERY_MS = 2000;
const JOIN_RETRY_MS = 2000;

export interface ControllerEvents {
  /** Something in the state changed: re-render. */
  changed(): void;
  /** Something the user should read (a failed request, a notification). */
  toast(text: string, kind: 'info' | 'error'): void;
}

/** Errors the connection badge already shows; not worth a toast. */
const CONNECTION_ERRORS = new Set(['CONNECT_FAILED', 'DISCONNECTED', 'TOKEN', 'CLOSED']);

/**
 * The page's behaviour, without the DOM: maps the client's events onto ChatState and user
 * actions onto requests. Reconnects, rejoining with `since`, resending queued sends and
 * de-duplication are the client's (@relay/client); the page refills a room when recovery was
 * impossible and refreshes presence after every rejoin.
 */
export class ChatController {
  readonly state = new ChatState();
  private client?: ChatClient;
  private readonly loadingOlder = new Set<string>();
  private readonly lastTypingSent = new Map<string, number>();

  constructor(private readonly events: ControllerEvents) {}

  attach(client: ChatClient): void {
    this.client = client;
    client.on('message', ({ type: _type, ...m }) => {
      if (this.state.addMessage(m)) this.events.changed();
    });
    client.on('member', (frame) => {
      const room = this.state.rooms.get(frame.room);
      if (!room) return;
      if (frame.event === 'join') room.members.add(frame.user);
      else room.members.delete(frame.user);
      this.events.changed();
    });
    client.on('typing', (frame) => {
      this.state.setTyping(frame.room, frame.user, Date.now());
      this.events.changed();
    });
    client.on('notification', ({ type: _type, ...n }) => {
      if (!this.state.addNotification(n)) return;
      this.events.changed();
      this.events.toast(n.kind === 'mention' && n.from ? `${n.from} mentioned you${n.room ? ` in #${n.room}` : ''}: ${n.text}` : `${n.kind}: ${n.text}`, 'info');
    });
    client.on('joined', (r) => {
      if (r.rejoin) void this.afterRejoin(r);
    });
    client.on('error', (err) => {
      if (!CONNECTION_ERRORS.has(err.code)) this.events.toast(`${err.code}: ${err.message}`, 'error');
    });
  }

  isLoadingOlder(room: string): boolean {
    return this.loadingOlder.has(room);
  }

  async join(name: string): Promise<void> {
    const fresh = !this.state.rooms.has(name);
    const room = this.state.room(name);
    this.select(name);
    if (fresh) await this.firstJoin(room);
  }

  select(name: string): void {
    const room = this.state.rooms.get(name);
    if (!room) return;
    this.state.activeRoom = name;
    room.unread = 0;
    this.events.changed();
  }

  async leave(name: string): Promise<void> {
    this.state.removeRoom(name);
    this.events.changed();
    try {
      await this.client?.leave(name);
    } catch (err) {
      this.fail('leave', err);
    }
  }

  /** Shows the message as pending at once; the client queues it while offline and resends it idempotently. */
  send(text: string): void {
    const room = this.state.activeRoom;
    if (!room || text.trim() === '' || !this.client) return;
    const pending: PendingSend = { room, text };
    this.state.room(room).pending.push(pending);
    this.events.changed();
    this.client.send(room, text).then(
      (sent) => {
        pending.id = sent.id;
        this.events.changed();
      },
      (err: unknown) => {
        if (err instanceof RelayError && err.code === 'CLOSED') return; // signed out
        pending.failed = err instanceof Error ? err.message : String(err);
        this.fail('send', err);
        this.events.changed();
      },
    );
  }

  typing(): void {
    const room = this.state.activeRoom;
    if (!room || !this.client) return;
    const now = Date.now();
    if (now - (this.lastTypingSent.get(room) ?? 0) < TYPING_SEND_EVERY_MS) return;
    if (this.client.typing(room)) this.lastTypingSent.set(room, now);
  }

  async loadOlder(name: string): Promise<void> {
    const room = this.state.rooms.get(name);
    if (!room || !room.hasOlder || this.loadingOlder.has(name) || !this.client) return;
    const before = room.oldestSeq ?? (room.lastSeq ?? 0) + 1;
    if (before <= 1) {
      room.hasOlder = false;
      return;
    }
    this.loadingOlder.add(name);
    this.events.changed();
    try {
      this.addPage(room, await this.client.history(name, { before, limit: HISTORY_PAGE }));
    } catch (err) {
      this.fail('history', err);
    } finally {
      this.loadingOlder.delete(name);
      this.events.changed();
    }
  }

  /** Join, show the latest page, list who is there. A busy service is retried: the user asked for this room. */
  private async firstJoin(room: RoomState): Promise<void> {
    if (!this.client) return;
    let joined: JoinResult;
    try {
      joined = await this.client.join(room.name);
    } catch (err) {
      if (this.state.rooms.get(room.name) !== room) return; // left meanwhile
      this.fail(`join #${room.name}`, err);
      if (err instanceof RelayError && err.retryable) setTimeout(() => this.retryJoin(room), err.details.retryAfterMs ?? JOIN_RETRY_MS);
      return;
    }
    if (this.state.rooms.get(room.name) !== room) return;
    room.lastSeq = Math.max(room.lastSeq ?? 0, joined.seq);
    room.hasOlder = joined.seq > 0;
    this.events.changed();
    await this.loadLatest(room, joined.seq);
    await this.refreshPresence(room);
  }

  private retryJoin(room: RoomState): void {
    if (this.state.rooms.get(room.name) === room) void this.firstJoin(room);
  }

  /** After a reconnect: missed messages arrive as events when recovered; otherwise refill from history. */
  private async afterRejoin(r: JoinResult): Promise<void> {
    const room = this.state.rooms.get(r.room);
    if (!room) return;
    if (r.recovered === false) {
      room.reset(r.seq);
      this.events.changed();
      await this.loadLatest(room, r.seq);
    }
    await this.refreshPresence(room);
  }

  private async loadLatest(room: RoomState, latest: number): Promise<void> {
    if (latest === 0 || !this.client) return;
    try {
      this.addPage(room, await this.client.history(room.name, { before: latest + 1, limit: HISTORY_PAGE }));
      this.events.changed();
    } catch (err) {
      this.fail('history', err);
    }
  }

  private addPage(room: RoomState, messages: ChatMessage[]): void {
    for (const m of messages) room.add(m);
    // A short page is not the start: large messages make pages shorter. Only seq 1 or an empty page is.
    if (messages.length === 0 || messages.some((m) => m.seq === 1)) room.hasOlder = false;
  }

  private async refreshPresence(room: RoomState): Promise<void> {
    if (!this.client) return;
    try {
      const users = await this.client.presence(room.name);
      room.members.clear();
      for (const u of users) room.members.add(u);
      this.events.changed();
    } catch (err) {
      this.fail('presence', err);
    }
  }

  private fail(what: string, err: unknown): void {
    if (err instanceof RelayError && CONNECTION_ERRORS.has(err.code)) return; // the status badge already says so
    const detail = err instanceof RelayError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
    this.events.toast(`${what} failed (${detail})`, 'error');
  }
}
