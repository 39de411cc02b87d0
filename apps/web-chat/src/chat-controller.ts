import { ChatState, type PendingSend, type RoomState } from './chat-state';
import type { HistoryServerFrame, JoinedServerFrame, PresenceServerFrame, SentServerFrame, ServerFrame } from './frames';
import { RequestError, type ProtocolClient } from './protocol-client';

export const HISTORY_PAGE = 50;
const TYPING_SEND_EVERY_MS = 2000;
const JOIN_RETRY_MS = 2000;

export interface ControllerEvents {
  /** Something in the state changed: re-render. */
  changed(): void;
  /** Something the user should read (a failed request, a notification). */
  toast(text: string, kind: 'info' | 'error'): void;
}

/** Random ids for clientMsgId; crypto.randomUUID exists only in secure contexts, getRandomValues everywhere. */
export function newClientMsgId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The page's behaviour, without the DOM: maps server frames onto ChatState and user actions
 * onto requests, and after every (re)connect rejoins each room with `since` = the last seq seen
 * so nothing stored is missing or doubled on screen.
 */
export class ChatController {
  readonly state = new ChatState();
  private client?: ProtocolClient;
  private readonly loadingOlder = new Set<string>();
  private readonly lastTypingSent = new Map<string, number>();

  constructor(private readonly events: ControllerEvents) {}

  attach(client: ProtocolClient): void {
    this.client = client;
  }

  isLoadingOlder(room: string): boolean {
    return this.loadingOlder.has(room);
  }

  /** ProtocolClient.onWelcome: bring every room back, in parallel. */
  resync(): void {
    for (const room of this.state.rooms.values()) void this.syncRoom(room);
  }

  handleFrame(frame: ServerFrame): void {
    const now = Date.now();
    switch (frame.type) {
      case 'message': {
        const { type: _type, ...m } = frame;
        if (this.state.addMessage(m)) this.events.changed();
        return;
      }
      case 'member': {
        const room = this.state.rooms.get(frame.room);
        if (!room) return;
        if (frame.event === 'join') room.members.add(frame.user);
        else room.members.delete(frame.user);
        this.events.changed();
        return;
      }
      case 'typing':
        this.state.setTyping(frame.room, frame.user, now);
        this.events.changed();
        return;
      case 'notification': {
        const { type: _type, ...n } = frame;
        if (this.state.addNotification(n)) {
          this.events.changed();
          this.events.toast(n.kind === 'mention' && n.from ? `${n.from} mentioned you${n.room ? ` in #${n.room}` : ''}: ${n.text}` : `${n.kind}: ${n.text}`, 'info');
        }
        return;
      }
      case 'error':
        this.events.toast(`${frame.code}: ${frame.message}`, 'error');
        return;
      default:
        return; // replies to requests we no longer wait for (timed out): nothing to show
    }
  }

  async join(name: string): Promise<void> {
    const fresh = !this.state.rooms.has(name);
    const room = this.state.room(name);
    this.select(name);
    if (fresh) await this.syncRoom(room);
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
      await this.request({ type: 'leave', room: name });
    } catch (err) {
      // Offline: nothing to leave, the next connection simply does not rejoin it.
      if (!(err instanceof RequestError && err.code === 'DISCONNECTED')) this.fail('leave', err);
    }
  }

  send(text: string): void {
    const room = this.state.activeRoom;
    if (!room || text.trim() === '') return;
    const pending: PendingSend = { clientMsgId: newClientMsgId(), room, text };
    this.state.room(room).pending.push(pending);
    this.events.changed();
    void this.deliver(pending);
  }

  typing(): void {
    const room = this.state.activeRoom;
    if (!room || !this.client?.online) return;
    const now = Date.now();
    if (now - (this.lastTypingSent.get(room) ?? 0) < TYPING_SEND_EVERY_MS) return;
    this.lastTypingSent.set(room, now);
    this.client.notify({ type: 'typing', room });
  }

  async loadOlder(name: string): Promise<void> {
    const room = this.state.rooms.get(name);
    if (!room || !room.hasOlder || this.loadingOlder.has(name)) return;
    const before = room.oldestSeq ?? (room.lastSeq ?? 0) + 1;
    if (before <= 1) {
      room.hasOlder = false;
      return;
    }
    this.loadingOlder.add(name);
    this.events.changed();
    try {
      const page = await this.request<HistoryServerFrame>({ type: 'history', room: name, before, limit: HISTORY_PAGE });
      for (const m of page.messages) room.add(m);
      // A short page is not the start: large messages make pages shorter. Only seq 1 or an empty page is.
      if (page.messages.length === 0 || page.messages.some((m) => m.seq === 1)) room.hasOlder = false;
    } catch (err) {
      this.fail('history', err);
    } finally {
      this.loadingOlder.delete(name);
      this.events.changed();
    }
  }

  /** Join (or rejoin with since), refill what recovery cannot give, refresh presence, resend pending sends. */
  private async syncRoom(room: RoomState): Promise<void> {
    const since = room.lastSeq;
    let joined: JoinedServerFrame;
    try {
      joined = await this.request<JoinedServerFrame>({ type: 'join', room: room.name, ...(since !== undefined ? { since } : {}) });
    } catch (err) {
      if (err instanceof RequestError && err.code === 'DISCONNECTED') return; // the next welcome retries
      this.fail(`join #${room.name}`, err);
      if (err instanceof RequestError && err.code === 'SERVICE_UNAVAILABLE') setTimeout(() => this.retryJoin(room), JOIN_RETRY_MS);
      return;
    }
    if (this.state.rooms.get(room.name) !== room) return; // left while joining
    if (since === undefined || joined.recovered === false) {
      // Fresh join, or too much missed: show the latest page; older ones come by scrolling up.
      if (since !== undefined) room.reset(joined.seq);
      else room.lastSeq = Math.max(room.lastSeq ?? 0, joined.seq);
      room.hasOlder = joined.seq > 0;
      this.events.changed();
      await this.loadLatest(room, joined.seq);
    }
    await this.refreshPresence(room);
    for (const p of room.pending) if (p.id === undefined && !p.failed) void this.deliver(p);
  }

  private retryJoin(room: RoomState): void {
    if (this.state.rooms.get(room.name) === room && this.client?.online) void this.syncRoom(room);
  }

  private async loadLatest(room: RoomState, latest: number): Promise<void> {
    if (latest === 0) return;
    try {
      const page = await this.request<HistoryServerFrame>({ type: 'history', room: room.name, before: latest + 1, limit: HISTORY_PAGE });
      for (const m of page.messages) room.add(m);
      // A short page is not the start: large messages make pages shorter. Only seq 1 or an empty page is.
      if (page.messages.length === 0 || page.messages.some((m) => m.seq === 1)) room.hasOlder = false;
      this.events.changed();
    } catch (err) {
      this.fail('history', err);
    }
  }

  private async refreshPresence(room: RoomState): Promise<void> {
    try {
      const p = await this.request<PresenceServerFrame>({ type: 'presence', room: room.name });
      room.members.clear();
      for (const u of p.users) room.members.add(u);
      this.events.changed();
    } catch (err) {
      this.fail('presence', err);
    }
  }

  /** Sends (or resends after a reconnect: same clientMsgId, so never stored twice). */
  private async deliver(p: PendingSend): Promise<void> {
    try {
      const sent = await this.request<SentServerFrame>({ type: 'send', room: p.room, text: p.text, clientMsgId: p.clientMsgId });
      p.id = sent.id;
    } catch (err) {
      if (err instanceof RequestError && (err.code === 'DISCONNECTED' || err.code === 'TIMEOUT')) return; // resent after rejoin
      p.failed = err instanceof Error ? err.message : String(err);
      this.fail('send', err);
    }
    this.events.changed();
  }

  private request<T extends ServerFrame>(frame: Parameters<ProtocolClient['request']>[0]): Promise<T> {
    if (!this.client) return Promise.reject(new RequestError('DISCONNECTED', 'not connected'));
    return this.client.request<T>(frame);
  }

  private fail(what: string, err: unknown): void {
    if (err instanceof RequestError && err.code === 'DISCONNECTED') return; // the status badge already says so
    const detail = err instanceof RequestError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
    this.events.toast(`${what} failed (${detail})`, 'error');
  }
}
