/**
 * RelayClient: one logical connection to Relay over many sockets. It connects to one of the
 * gateways, reconnects with backoff and full jitter, rejoins every room with `since` (and `epoch`),
 * matches replies to requests by `ref`, queues sends while offline (resent with the same
 * clientMsgId, so stored once), drops duplicate messages and notifications, acknowledges
 * notifications, refreshes the token before it expires, and leaves no timer behind on close.
 */
import { backoffDelay, DEFAULT_BACKOFF } from './backoff';
import { Emitter } from './emitter';
import type { ACK_MAX_IDS as AckMaxIds, CLOSE_CODES as CloseCodes } from '@relay/contracts';
import { RelayError } from './errors';
import type { AuthedFrame, ChatMessage, ErrorFrame, HistoryServerFrame, IncomingFrame, JoinedFrame, OutgoingFrame, PresenceServerFrame, SentServerFrame, WelcomeServerFrame } from './frames';
import { RecentIds } from './recent-ids';
import { RoomHandle } from './room-handle';
import { defaultWebSocket, httpStatusOf, OPEN, randomId, type SocketLike, type WebSocketConstructor } from './socket';
import { obtainToken, tokenExpiry, type TokenReason } from './token';
import type { ConnectionStatus, HistoryOptions, JoinResult, RelayClientOptions, RelayEvents, RequestOptions, SendOptions, SentResult } from './types';


const DEFAULTS = { requestTimeoutMs: 10_000, connectTimeoutMs: 10_000, maxQueuedSends: 1_000, refreshBeforeExpiryMs: 60_000 };
// The contracts' constants, imported type-only: a value import would pull the contracts' runtime
// (TypeBox schemas, ulid) into the browser bundle. Each literal is typed by the contracts' constant,
// so a change there fails the typecheck here instead of drifting silently.
/** Ids per `ack` frame the protocol allows. */
const ACK_MAX_IDS: typeof AckMaxIds = 500;
/** The close code after which the server expects a reconnect with a new token. */
const TOKEN_EXPIRED: (typeof CloseCodes)['TOKEN_EXPIRED'] = 4001;
/** A backend disconnected the user (server API): the client stops instead of reconnecting. */
const DISCONNECTED_BY_SERVER: (typeof CloseCodes)['DISCONNECTED_BY_SERVER'] = 4002;
const SEEN_IDS = 10_000;

/** What kind of request, which decides what happens to it when the socket drops. */
type Kind = 'send' | 'read' | 'leave' | 'join' | 'ping' | 'auth';

interface Pending {
  order: number;
  kind: Kind;
  frame: OutgoingFrame;
  resolve: (frame: IncomingFrame) => void;
  reject: (err: RelayError) => void;
  /** Reads: timeout from the call. Sends: from the moment written. */
  timer?: ReturnType<typeof setTimeout>;
  timeoutMs: number;
  cleanup: () => void;
  /** Joins: the `since` sent, to tell a fresh join from a rejoin. */
  since?: number;
  rejoin?: boolean;
}

interface RoomEntry {
  name: string;
  lastSeq?: number;
  epoch?: string;
  /** join() calls waiting for this room's next `joined`. */
  waiters: { resolve: (r: JoinResult) => void; reject: (e: RelayError) => void; cleanup: () => void }[];
  retryTimer?: ReturnType<typeof setTimeout>;
}

export class RelayClient {
  private readonly events = new Emitter<RelayEvents>();
  private readonly urls: string[];
  private readonly WS: WebSocketConstructor;
  private readonly opts: RelayClientOptions & typeof DEFAULTS;
  private socket?: SocketLike;
  private welcomeFrame?: WelcomeServerFrame;
  /** After `welcome`: 'rejoining' until every room answered, then 'ready' (the outbox flows). */
  private phase: 'offline' | 'rejoining' | 'ready' = 'offline';
  private closed = false;
  private started = false;
  private urlIndex = 0;
  private attempt = 0;
  private everOpen = false;
  private order = 0;
  private refs = 0;
  private currentToken?: string;
  private authUnsupported = false;
  private ackUnsupported = false;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private connectTimer?: ReturnType<typeof setTimeout>;
  private refreshTimer?: ReturnType<typeof setTimeout>;
  private readonly rooms = new Map<string, RoomEntry>();
  private outbox: Pending[] = [];
  private readonly inflight = new Map<string, Pending>();
  private readonly messageIds = new RecentIds(SEEN_IDS);
  private readonly notificationIds = new RecentIds(SEEN_IDS);
  private ackBatch: string[] = [];
  private openWaiters: { resolve: (w: WelcomeServerFrame) => void; reject: (e: RelayError) => void }[] = [];
  private statusValue: ConnectionStatus = { state: 'idle', attempt: 0 };
  private readonly onAbort = () => void this.close();

  constructor(options: RelayClientOptions) {
    this.urls = Array.isArray(options.url) ? [...options.url] : [options.url];
    if (this.urls.length === 0) throw new TypeError('RelayClient: at least one gateway url is required');
    if (options.token === undefined || options.token === '') throw new TypeError('RelayClient: a token or token provider is required');
    const WS = options.WebSocket ?? defaultWebSocket();
    if (!WS) throw new TypeError('RelayClient: no WebSocket available; pass options.WebSocket (in Node 20: the `ws` package)');
    this.WS = WS;
    this.opts = { ...DEFAULTS, ...options };
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (options.signal?.aborted) this.closed = true;
  }

  get status(): ConnectionStatus {
    return this.statusValue;
  }

  /** The `welcome` of the current connection (user id, session, gateway), while open. */
  get welcome(): WelcomeServerFrame | undefined {
    return this.phase === 'offline' ? undefined : this.welcomeFrame;
  }

  on<K extends keyof RelayEvents>(event: K, fn: (...args: RelayEvents[K]) => void): () => void {
    return this.events.on(event, fn);
  }

  off<K extends keyof RelayEvents>(event: K, fn: (...args: RelayEvents[K]) => void): void {
    this.events.off(event, fn);
  }

  /** Starts connecting (once) and resolves with the next `welcome`; rejects only when closed. */
  connect(): Promise<WelcomeServerFrame> {
    if (this.closed) return Promise.reject(new RelayError('CLOSED', 'the client is closed'));
    const open = this.welcome;
    if (open) return Promise.resolve(open);
    const waiting = new Promise<WelcomeServerFrame>((resolve, reject) => this.openWaiters.push({ resolve, reject }));
    this.start();
    return waiting;
  }

  /** The first request or connect() starts the connection; later calls do nothing. */
  private start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    void this.openSocket('connect');
  }

  /** Closes the socket, fails whatever waits with CLOSED and clears every timer. Idempotent. */
  close(): Promise<void> {
    return this.shutdown(new RelayError('CLOSED', 'the client was closed'));
  }

  /** close(), with the error waiters get and, when the server ended it, its close code in the status. */
  private shutdown(closedErr: RelayError, closeCode?: number): Promise<void> {
    if (this.closed && !this.socket && this.statusValue.state === 'closed') return Promise.resolve();
    this.closed = true;
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    clearTimeout(this.retryTimer);
    clearTimeout(this.connectTimer);
    clearTimeout(this.refreshTimer);
    for (const p of [...this.outbox, ...this.inflight.values()]) this.settle(p, closedErr);
    this.outbox = [];
    this.inflight.clear();
    for (const entry of this.rooms.values()) {
      clearTimeout(entry.retryTimer);
      this.rejectWaiters(entry, closedErr);
    }
    for (const w of this.openWaiters.splice(0)) w.reject(closedErr);
    this.phase = 'offline';
    this.setStatus({ state: 'closed', attempt: 0, ...(closeCode !== undefined ? { closeCode, error: closedErr } : {}) });
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return Promise.resolve();
    return new Promise<void>((resolve) => {
      socket.onmessage = null;
      socket.onerror = () => undefined; // ws reports closing a CONNECTING socket as an error
      socket.onclose = () => resolve();
      socket.close(1000);
    });
  }

  /** A view of one room: its events only, and requests without repeating the name. */
  room(name: string): RoomHandle {
    return new RoomHandle(this, name);
  }

  /** Rooms this client is in (or joining), with the last seq seen: the `since` of the next rejoin. */
  joinedRooms(): { room: string; lastSeq?: number; epoch?: string }[] {
    return [...this.rooms.values()].map((r) => ({ room: r.name, lastSeq: r.lastSeq, epoch: r.epoch }));
  }

  /** Joins a room; after every reconnect the client rejoins it with `since` by itself. */
  join(room: string, opts: RequestOptions = {}): Promise<JoinResult> {
    if (this.closed) return Promise.reject(new RelayError('CLOSED', 'the client is closed'));
    let entry = this.rooms.get(room);
    const fresh = !entry;
    if (!entry) {
      entry = { name: room, waiters: [] };
      this.rooms.set(room, entry);
    }
    const target = entry;
    const result = new Promise<JoinResult>((resolve, reject) => {
      const waiter = { resolve, reject, cleanup: () => undefined };
      const timeoutMs = opts.timeoutMs ?? this.opts.requestTimeoutMs;
      const timer = setTimeout(() => fail(new RelayError('TIMEOUT', `no reply to join ${room} within ${timeoutMs} ms`)), timeoutMs);
      const onAbort = () => fail(new RelayError('CLOSED', 'aborted'));
      const fail = (err: RelayError) => {
        target.waiters = target.waiters.filter((w) => w !== waiter);
        waiter.cleanup();
        // A join that never got through is forgotten; a room already joined stays joined.
        if (fresh && target.lastSeq === undefined && target.waiters.length === 0 && this.rooms.get(room) === target) this.rooms.delete(room);
        reject(err);
      };
      waiter.cleanup = () => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      target.waiters.push(waiter);
    });
    if (this.phase !== 'offline') this.sendJoin(target, false);
    this.start();
    return result;
  }

  /** Leaves a room: it is no longer rejoined, and late frames for it are dropped. */
  async leave(room: string, opts: RequestOptions = {}): Promise<void> {
    const entry = this.rooms.get(room);
    if (entry) {
      clearTimeout(entry.retryTimer);
      this.rooms.delete(room);
      this.rejectWaiters(entry, new RelayError('CLOSED', `left ${room}`));
    }
    // Offline there is nothing to leave: the next connection simply does not rejoin it.
    if (this.phase === 'offline') return;
    await this.request({ type: 'leave', room }, 'leave', opts);
  }

  /** Sends a message; while offline it waits in the queue and goes out after the rejoin. */
  async send(room: string, text: string, opts: SendOptions = {}): Promise<SentResult> {
    const queued = this.outbox.filter((p) => p.kind === 'send').length + [...this.inflight.values()].filter((p) => p.kind === 'send').length;
    if (queued >= this.opts.maxQueuedSends) throw new RelayError('QUEUE_FULL', `${queued} sends are already waiting`);
    const clientMsgId = opts.clientMsgId ?? randomId();
    const sent = await this.request<SentServerFrame>({ type: 'send', room, text, clientMsgId }, 'send', opts);
    return { room: sent.room, id: sent.id, seq: sent.seq, ts: sent.ts, clientMsgId };
  }

  /** A page of stored messages, ascending by seq. */
  async history(room: string, opts: HistoryOptions = {}): Promise<ChatMessage[]> {
    const frame: OutgoingFrame = { type: 'history', room, ...(opts.before !== undefined ? { before: opts.before } : {}), ...(opts.limit !== undefined ? { limit: opts.limit } : {}) };
    const reply = await this.request<HistoryServerFrame>(frame, 'read', opts);
    return reply.messages;
  }

  /** Users with a live connection in the room, on any gateway. */
  async presence(room: string, opts: RequestOptions = {}): Promise<string[]> {
    const reply = await this.request<PresenceServerFrame>({ type: 'presence', room }, 'read', opts);
    return reply.users;
  }

  /** Round trip time in ms; fails with DISCONNECTED when the socket drops under it. */
  async ping(opts: RequestOptions = {}): Promise<number> {
    const started = Date.now();
    await this.request({ type: 'ping' }, 'ping', opts);
    return Date.now() - started;
  }

  /** Replaces the connection's token (same user) without reconnecting; resolves with the new `exp`. */
  async auth(token: string, opts: RequestOptions = {}): Promise<{ exp?: number }> {
    const reply = await this.request<AuthedFrame>({ type: 'auth', token }, 'auth', opts);
    this.currentToken = token;
    this.scheduleRefresh();
    return { exp: reply.exp ?? tokenExpiry(token) };
  }

  /** Tells other members the user is typing; returns false when offline (typing is ephemeral). */
  typing(room: string): boolean {
    if (this.phase !== 'ready' || !this.socket) return false;
    this.write({ type: 'typing', room });
    return true;
  }

  /** Acknowledges notifications (automatic unless `autoAck: false`); unacknowledged ones come again. */
  ack(ids: string[]): void {
    if (ids.length === 0 || this.ackUnsupported) return;
    const first = this.ackBatch.length === 0;
    this.ackBatch.push(...ids);
    if (first) queueMicrotask(() => this.flushAcks());
  }

  // --- connection ---------------------------------------------------------------------------

  private async openSocket(reason: TokenReason): Promise<void> {
    const url = this.urls[this.urlIndex % this.urls.length];
    this.setStatus({ state: this.everOpen ? 'reconnecting' : 'connecting', url, attempt: this.attempt });
    let token: string;
    try {
      token = await obtainToken(this.opts.token, reason);
      if (typeof token !== 'string' || token === '') throw new TypeError('the token provider returned no token');
    } catch (err) {
      if (this.closed) return;
      this.failAttempt(new RelayError('TOKEN', `could not get a token: ${(err as Error)?.message ?? String(err)}`, { cause: err }), 'reconnect');
      return;
    }
    if (this.closed) return;
    this.currentToken = token;
    const subprotocol = this.opts.tokenTransport === 'subprotocol';
    const full = subprotocol ? url : `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
    let socket: SocketLike;
    try {
      socket = new this.WS(full, subprotocol ? ['relay.v1', `bearer.${token}`] : undefined) as SocketLike;
    } catch (err) {
      this.failAttempt(new RelayError('CONNECT_FAILED', `cannot open ${url}: ${(err as Error).message}`, { cause: err }), 'reconnect');
      return;
    }
    this.socket = socket;
    let opened = false;
    let welcomed = false;
    let lastError: unknown;
    this.connectTimer = setTimeout(() => {
      if (this.socket !== socket) return;
      lastError = new Error(`no welcome within ${this.opts.connectTimeoutMs} ms`);
      socket.close(4000, 'no welcome');
      this.onSocketGone(socket, { code: 4000, opened, welcomed, error: lastError, url });
    }, this.opts.connectTimeoutMs);
    socket.onopen = () => {
      opened = true;
    };
    socket.onerror = (ev) => {
      lastError = (ev as { error?: unknown })?.error ?? ev;
    };
    socket.onmessage = (ev) => {
      if (this.socket !== socket) return;
      const frame = this.parse(ev.data);
      if (!frame) return;
      if (frame.type === 'welcome') {
        welcomed = true;
        this.onWelcome(frame, url);
      } else this.onFrame(frame);
    };
    socket.onclose = (ev) => this.onSocketGone(socket, { code: ev.code, reason: ev.reason, opened, welcomed, error: lastError, url });
  }

  private onSocketGone(socket: SocketLike, how: { code: number; reason?: string; opened: boolean; welcomed: boolean; error: unknown; url: string }): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = () => undefined;
    clearTimeout(this.connectTimer);
    clearTimeout(this.refreshTimer);
    this.phase = 'offline';
    this.requeueInflight();
    if (this.closed) return;
    if (!how.welcomed) {
      const status = httpStatusOf(how.error);
      const detail = status ? `HTTP ${status}${status === 401 ? ' (token refused)' : ''}` : how.opened ? `closed with ${how.code} before welcome` : describe(how.error);
      this.failAttempt(new RelayError('CONNECT_FAILED', `cannot connect to ${how.url}: ${detail}`, { status, cause: how.error }), status === 401 || !how.opened ? 'refused' : 'reconnect');
      return;
    }
    if (how.code === DISCONNECTED_BY_SERVER) {
      // Deliberate, not a failure: reconnecting would undo what the backend asked for. The
      // application decides (sign out, or a new client / connect() after a fresh token).
      const err = new RelayError('CLOSED', `disconnected by the server (4002)${how.reason ? `: ${how.reason}` : ''}`);
      this.events.emit('error', err);
      void this.shutdown(err, how.code);
      return;
    }
    const expired = how.code === TOKEN_EXPIRED;
    const err = new RelayError('DISCONNECTED', expired ? 'the token expired (4001)' : `connection closed (${how.code})`);
    this.failAttempt(err, expired ? 'expired' : 'reconnect', how.code);
  }

  /** Counts a failed attempt or a dropped connection, rotates to the next gateway and waits. */
  private failAttempt(err: RelayError, nextReason: TokenReason, closeCode?: number): void {
    if (this.closed) return;
    this.urlIndex = (this.urlIndex + 1) % this.urls.length;
    const delay = backoffDelay(this.attempt, this.opts.backoff ?? DEFAULT_BACKOFF, this.opts.random);
    this.attempt++;
    this.setStatus({ state: this.everOpen ? 'reconnecting' : 'connecting', url: this.urls[this.urlIndex], attempt: this.attempt, retryInMs: delay, error: err, ...(closeCode !== undefined ? { closeCode } : {}) });
    this.events.emit('error', err);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.openSocket(nextReason), delay);
  }

  private onWelcome(frame: WelcomeServerFrame, url: string): void {
    clearTimeout(this.connectTimer);
    this.welcomeFrame = frame;
    this.everOpen = true;
    this.attempt = 0;
    this.phase = 'rejoining';
    this.setStatus({ state: 'open', url, gateway: frame.gateway, attempt: 0 });
    this.events.emit('welcome', frame);
    for (const w of this.openWaiters.splice(0)) w.resolve(frame);
    this.scheduleRefresh();
    if (this.phase !== 'rejoining') return; // a listener closed the client
    for (const entry of this.rooms.values()) this.sendJoin(entry, true);
    this.maybeReady();
  }

  private maybeReady(): void {
    if (this.phase !== 'rejoining') return;
    for (const p of this.inflight.values()) if (p.kind === 'join' && p.rejoin) return;
    this.phase = 'ready';
    const waiting = this.outbox;
    this.outbox = [];
    for (const p of waiting) this.dispatch(p);
  }

  // --- rooms --------------------------------------------------------------------------------

  private sendJoin(entry: RoomEntry, rejoin: boolean): void {
    clearTimeout(entry.retryTimer);
    const since = entry.lastSeq;
    const frame: OutgoingFrame = { type: 'join', room: entry.name, ...(since !== undefined ? { since } : {}), ...(since !== undefined && entry.epoch !== undefined ? { epoch: entry.epoch } : {}) };
    const p = this.makePending(frame, 'join', this.opts.requestTimeoutMs, undefined,
      (reply) => this.onJoined(entry, reply as JoinedFrame, since, rejoin),
      (err) => this.onJoinFailed(entry, err, rejoin));
    p.since = since;
    p.rejoin = rejoin;
    this.dispatch(p);
  }

  private onJoined(entry: RoomEntry, frame: JoinedFrame, since: number | undefined, rejoin: boolean): void {
    if (this.rooms.get(entry.name) !== entry) return; // left meanwhile
    const epochChanged = entry.epoch !== undefined && frame.epoch !== undefined && frame.epoch !== entry.epoch;
    const recovered = since === undefined ? undefined : frame.recovered !== false && !epochChanged;
    // Replayed messages follow a recovered join; otherwise new messages count from the room's latest seq.
    if (since === undefined) entry.lastSeq = Math.max(entry.lastSeq ?? 0, frame.seq);
    else if (!recovered) entry.lastSeq = frame.seq;
    if (frame.epoch !== undefined) entry.epoch = frame.epoch;
    const result: JoinResult = { room: entry.name, seq: frame.seq, recovered, epoch: entry.epoch, epochChanged, rejoin };
    for (const w of entry.waiters.splice(0)) {
      w.cleanup();
      w.resolve(result);
    }
    this.events.emit('joined', result);
    this.maybeReady();
  }

  private onJoinFailed(entry: RoomEntry, err: RelayError, rejoin: boolean): void {
    if (err.code === 'CLOSED' || err.code === 'DISCONNECTED') return; // the next welcome rejoins
    if (this.rooms.get(entry.name) === entry) {
      if (rejoin && err.retryable) {
        // The service behind the gateway is busy or down: try this room again, the others go on.
        const delay = err.details.retryAfterMs ?? backoffDelay(1, this.opts.backoff ?? DEFAULT_BACKOFF, this.opts.random) + 250;
        entry.retryTimer = setTimeout(() => {
          if (this.phase !== 'offline' && this.rooms.get(entry.name) === entry) this.sendJoin(entry, false);
        }, delay);
      } else if (entry.lastSeq === undefined || !err.retryable) {
        this.rooms.delete(entry.name);
      }
      this.rejectWaiters(entry, err);
    }
    this.events.emit('error', err);
    this.maybeReady();
  }

  private rejectWaiters(entry: RoomEntry, err: RelayError): void {
    for (const w of entry.waiters.splice(0)) {
      w.cleanup();
      w.reject(err);
    }
  }

  // --- requests -----------------------------------------------------------------------------

  private request<T extends IncomingFrame>(frame: OutgoingFrame, kind: Kind, opts: RequestOptions): Promise<T> {
    if (this.closed) return Promise.reject(new RelayError('CLOSED', 'the client is closed'));
    this.start();
    return new Promise<T>((resolve, reject) => {
      const p = this.makePending(frame, kind, opts.timeoutMs ?? this.opts.requestTimeoutMs, opts.signal, resolve as (f: IncomingFrame) => void, reject);
      // Everything but a send times out from the call: a read while offline fails in bounded time.
      if (kind !== 'send') this.startTimer(p);
      this.dispatch(p);
    });
  }

  private makePending(frame: OutgoingFrame, kind: Kind, timeoutMs: number, signal: AbortSignal | undefined, resolve: (f: IncomingFrame) => void, reject: (e: RelayError) => void): Pending {
    const p: Pending = { order: ++this.order, kind, frame, resolve, reject, timeoutMs, cleanup: () => undefined };
    if (signal) {
      const onAbort = () => this.settle(p, new RelayError('CLOSED', 'aborted'));
      signal.addEventListener('abort', onAbort, { once: true });
      p.cleanup = () => signal.removeEventListener('abort', onAbort);
    }
    return p;
  }

  private startTimer(p: Pending): void {
    clearTimeout(p.timer);
    p.timer = setTimeout(() => this.settle(p, new RelayError('TIMEOUT', `no reply to ${p.frame.type} within ${p.timeoutMs} ms`)), p.timeoutMs);
  }

  /** Writes now when the connection can take it, else parks it in the outbox (in call order). */
  private dispatch(p: Pending): void {
    const canWrite = this.socket && (this.phase === 'ready' || (this.phase === 'rejoining' && (p.kind === 'join' || p.kind === 'ping' || p.kind === 'auth')));
    if (!canWrite) {
      if (p.kind === 'join') return; // joins are redone from the room table after the next welcome
      this.outbox.push(p);
      this.outbox.sort((a, b) => a.order - b.order);
      return;
    }
    const ref = `${++this.refs}`;
    this.inflight.set(ref, p);
    if (p.kind === 'send' || p.kind === 'join') this.startTimer(p);
    this.write({ ...p.frame, ref });
  }

  /** Removes a request from wherever it waits and finishes it with a reply or an error. */
  private settle(p: Pending, outcome: RelayError | IncomingFrame): void {
    clearTimeout(p.timer);
    p.cleanup();
    const i = this.outbox.indexOf(p);
    if (i >= 0) this.outbox.splice(i, 1);
    for (const [ref, q] of this.inflight) if (q === p) this.inflight.delete(ref);
    if (outcome instanceof RelayError) p.reject(outcome);
    else p.resolve(outcome);
  }

  /** The socket is gone: sends and reads go out again after the rejoin; pings and auth fail. */
  private requeueInflight(): void {
    const dropped = [...this.inflight.values()];
    this.inflight.clear();
    for (const p of dropped) {
      if (p.kind === 'send' || p.kind === 'read' || p.kind === 'leave') {
        if (p.kind === 'send') clearTimeout(p.timer); // restarts when written again
        this.outbox.push(p);
      } else if (p.kind === 'join') {
        clearTimeout(p.timer);
        p.cleanup();
      } else {
        this.settle(p, new RelayError('DISCONNECTED', 'the connection dropped before the reply'));
      }
    }
    this.outbox.sort((a, b) => a.order - b.order);
  }

  private write(frame: OutgoingFrame): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN) return;
    socket.send(JSON.stringify(frame));
  }

  // --- incoming -----------------------------------------------------------------------------

  private parse(data: unknown): IncomingFrame | undefined {
    try {
      const frame = JSON.parse(typeof data === 'string' ? data : String(data)) as IncomingFrame;
      return frame && typeof frame === 'object' && typeof frame.type === 'string' ? frame : undefined;
    } catch {
      this.events.emit('error', new RelayError('INTERNAL', 'the gateway sent a frame that is not JSON'));
      return undefined;
    }
  }

  private onFrame(frame: IncomingFrame): void {
    const ref = 'ref' in frame ? frame.ref : undefined;
    if (ref !== undefined) {
      const p = this.inflight.get(ref);
      if (p) {
        this.settle(p, frame.type === 'error' ? toError(frame) : frame);
        return;
      }
      if (ref.startsWith('ack') && frame.type === 'error') {
        // A gateway without `ack` answers BAD_REQUEST: stop sending them to it.
        this.ackUnsupported = frame.code === 'BAD_REQUEST';
        return;
      }
    }
    switch (frame.type) {
      case 'message':
        return this.onMessage(frame);
      case 'member':
      case 'typing':
        if (this.rooms.has(frame.room)) this.events.emit(frame.type, frame as never);
        return;
      case 'notification': {
        if (this.notificationIds.add(frame.id)) this.events.emit('notification', frame);
        // A redelivered one is acknowledged again: the server resent it because no ack arrived.
        if (this.opts.autoAck !== false) this.ack([frame.id]);
        return;
      }
      case 'error':
        this.events.emit('error', toError(frame));
        return;
      default:
        return; // a late reply to a request that timed out
    }
  }

  private onMessage(frame: Extract<IncomingFrame, { type: 'message' }>): void {
    const entry = this.rooms.get(frame.room);
    if (!entry) return; // late frame for a room already left
    if (frame.epoch !== undefined && entry.epoch !== undefined && frame.epoch !== entry.epoch) {
      // Epochs sort by time: an earlier one is a stale frame; a later one means the room's store
      // was reset or replaced and seqs started over: counting from scratch, not dropping by seq.
      if (frame.epoch < entry.epoch) return;
      entry.lastSeq = undefined;
    }
    if (frame.epoch !== undefined) entry.epoch = frame.epoch;
    if (this.messageIds.has(frame.id) || (entry.lastSeq !== undefined && frame.seq <= entry.lastSeq)) return;
    this.messageIds.add(frame.id);
    const expected = entry.lastSeq === undefined ? undefined : entry.lastSeq + 1;
    entry.lastSeq = frame.seq;
    if (expected !== undefined && frame.seq > expected) this.events.emit('gap', { room: frame.room, from: expected, to: frame.seq - 1 });
    this.events.emit('message', frame);
  }

  private flushAcks(): void {
    const ids = [...new Set(this.ackBatch)];
    this.ackBatch = [];
    if (ids.length === 0 || this.ackUnsupported || !this.socket) return;
    // A backlog delivered after `welcome` can exceed what one ack frame may carry.
    for (let i = 0; i < ids.length; i += ACK_MAX_IDS) this.write({ type: 'ack', ref: `ack${++this.refs}`, ids: ids.slice(i, i + ACK_MAX_IDS) });
  }

  // --- token refresh ------------------------------------------------------------------------

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    if (typeof this.opts.token === 'string' || this.authUnsupported || !this.currentToken) return;
    const exp = tokenExpiry(this.currentToken);
    if (exp === undefined) return;
    const delay = Math.max(1_000, exp * 1000 - Date.now() - this.opts.refreshBeforeExpiryMs);
    this.refreshTimer = setTimeout(() => void this.refresh(exp), delay);
  }

  private async refresh(oldExp: number): Promise<void> {
    let token: string;
    try {
      token = await obtainToken(this.opts.token, 'refresh');
    } catch (err) {
      this.events.emit('error', new RelayError('TOKEN', `token refresh failed: ${(err as Error)?.message ?? String(err)}`, { cause: err }));
      return; // the gateway closes with 4001 at expiry and the reconnect asks again
    }
    if (this.closed || this.phase === 'offline') return;
    if ((tokenExpiry(token) ?? 0) <= oldExp) return; // the provider has nothing newer: reconnect at 4001
    try {
      await this.auth(token);
    } catch (err) {
      const e = err as RelayError;
      if (e.code === 'BAD_REQUEST') this.authUnsupported = true; // gateway without `auth`: reconnect at expiry
      this.events.emit('error', e);
    }
  }

  private setStatus(status: ConnectionStatus): void {
    this.statusValue = status;
    this.events.emit('state', status);
  }
}

function toError(frame: ErrorFrame): RelayError {
  return new RelayError(frame.code, frame.message, { ...(frame.retryAfterMs !== undefined ? { retryAfterMs: frame.retryAfterMs } : {}), ...(frame.ref !== undefined ? { ref: frame.ref } : {}) });
}

function describe(error: unknown): string {
  const e = error as { message?: unknown; code?: unknown } | undefined;
  if (typeof e?.message === 'string' && e.message) return e.message;
  if (typeof e?.code === 'string') return e.code;
  return 'the connection failed';
}
