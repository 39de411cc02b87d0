import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import type { ClientFrame, ErrorServerFrame, ServerFrame, WelcomeServerFrame } from './frames';

export type ConnectionState = 'connecting' | 'online' | 'reconnecting' | 'offline';

export interface ConnectionStatus {
  state: ConnectionState;
  /** The gateway URL being tried or in use. */
  url?: string;
  /** The gateway instance id from `welcome`, when online. */
  gateway?: string;
  /** Failed attempts since the last successful connection. */
  attempt: number;
  /** When reconnecting: how long until the next attempt. */
  retryInMs?: number;
}

/** An `error` frame answering a request, or the connection dropping under it. */
export class RequestError extends Error {
  constructor(
    readonly code: ErrorServerFrame['code'] | 'DISCONNECTED' | 'TIMEOUT',
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

export interface ProtocolClientOptions {
  gateways: string[];
  /** A token for the next attempt; `fresh` when the previous attempt never opened (maybe a 401). */
  getToken: (fresh: boolean) => Promise<string>;
  /** Every server frame that is not the reply to a request. */
  onFrame: (frame: ServerFrame) => void;
  /** Called on each `welcome`: the place to (re)join rooms. */
  onWelcome: (welcome: WelcomeServerFrame) => void;
  onStatus: (status: ConnectionStatus) => void;
  backoff?: BackoffOptions;
  requestTimeoutMs?: number;
  createSocket?: (url: string) => WebSocket;
}

interface Pending {
  resolve: (frame: ServerFrame) => void;
  reject: (err: RequestError) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * One logical connection over many sockets: connects to a gateway from the list, reconnects
 * with backoff + jitter, rotating to the next gateway after every failure or drop, and matches
 * replies to requests by `ref`.
 */
export class ProtocolClient {
  private socket?: WebSocket;
  private index = 0;
  private attempt = 0;
  private stopped = true;
  /** Whether any connection ever got `welcome`: decides "connecting" vs "reconnecting". */
  private everOnline = false;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private refCounter = 0;
  private readonly pending = new Map<string, Pending>();
  private status: ConnectionStatus = { state: 'offline', attempt: 0 };

  constructor(private readonly opts: ProtocolClientOptions) {}

  get online(): boolean {
    return this.status.state === 'online';
  }

  start(): void {
    if (!this.stopped) return;
    if (this.opts.gateways.length === 0) throw new Error('no gateway URL to connect to');
    this.stopped = false;
    this.attempt = 0;
    void this.connect(false);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(1000);
    this.failPending('signed out');
    this.setStatus({ state: 'offline', attempt: 0 });
  }

  /** Sends a frame with a fresh `ref` and resolves with the reply, or rejects with its error. */
  request<T extends ServerFrame = ServerFrame>(frame: Exclude<ClientFrame, { type: 'typing' }>): Promise<T> {
    const ref = `c${++this.refCounter}`;
    return new Promise<T>((resolve, reject) => {
      if (!this.socket || !this.online) {
        reject(new RequestError('DISCONNECTED', 'not connected'));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(new RequestError('TIMEOUT', `no reply to ${frame.type} in time`));
      }, this.opts.requestTimeoutMs ?? 10_000);
      this.pending.set(ref, { resolve: resolve as (f: ServerFrame) => void, reject, timer });
      this.socket.send(JSON.stringify({ ...frame, ref }));
    });
  }

  /** Fire-and-forget frames (typing). Dropped when offline: they are ephemeral anyway. */
  notify(frame: ClientFrame): void {
    if (this.socket && this.online) this.socket.send(JSON.stringify(frame));
  }

  private async connect(freshToken: boolean): Promise<void> {
    const url = this.opts.gateways[this.index % this.opts.gateways.length];
    this.setStatus({ state: this.attempt === 0 && !this.everOnline ? 'connecting' : 'reconnecting', url, attempt: this.attempt });
    let token: string;
    try {
      token = await this.opts.getToken(freshToken);
    } catch {
      // No auth endpoint answered (all gateways down?): count it as a failed attempt.
      this.scheduleRetry(true);
      return;
    }
    if (this.stopped) return;
    const full = `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
    const socket = this.opts.createSocket ? this.opts.createSocket(full) : new WebSocket(full);
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
    };
    socket.onmessage = (ev: MessageEvent) => {
      if (this.socket !== socket || typeof ev.data !== 'string') return;
      this.handleFrame(ev.data);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.failPending('connection lost');
      if (this.stopped) return;
      // A socket that never opened may have been refused with 401: get a new token next time.
      this.scheduleRetry(!opened);
    };
  }

  private handleFrame(raw: string): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(raw) as ServerFrame;
    } catch {
      return; // The gateway only sends JSON; a bad frame is ignored rather than breaking the page.
    }
    if (frame.type === 'welcome') {
      this.attempt = 0;
      this.everOnline = true;
      this.setStatus({ state: 'online', url: this.status.url, gateway: frame.gateway, attempt: 0 });
      this.opts.onWelcome(frame);
      return;
    }
    const ref = 'ref' in frame ? frame.ref : undefined;
    const waiting = ref !== undefined ? this.pending.get(ref) : undefined;
    if (waiting && ref !== undefined) {
      this.pending.delete(ref);
      clearTimeout(waiting.timer);
      if (frame.type === 'error') waiting.reject(new RequestError(frame.code, frame.message));
      else waiting.resolve(frame);
      return;
    }
    this.opts.onFrame(frame);
  }

  private scheduleRetry(freshToken: boolean): void {
    if (this.stopped) return;
    this.index = (this.index + 1) % this.opts.gateways.length;
    const delay = backoffDelay(this.attempt, this.opts.backoff ?? DEFAULT_BACKOFF);
    this.attempt++;
    this.setStatus({ state: 'reconnecting', url: this.opts.gateways[this.index], attempt: this.attempt, retryInMs: delay });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(freshToken), delay);
  }

  private failPending(why: string): void {
    for (const [ref, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new RequestError('DISCONNECTED', why));
      this.pending.delete(ref);
    }
  }

  private setStatus(status: ConnectionStatus): void {
    this.status = status;
    this.opts.onStatus(status);
  }
}
