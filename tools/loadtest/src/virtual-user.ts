import WebSocket from 'ws';
import type { UserSpec } from './messages';
import { decodePayload, encodePayload, nowMs } from './payload';
import type { WorkerStats } from './stats';

type Frame = { type?: unknown; ref?: unknown; [k: string]: unknown };

/** A failure with a stable code for the report's "errors by code". */
export class UserError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const JOIN_REF = 'join';

/** What the worker needs of a simulated client, whatever protocol it speaks. */
export interface LoadClient {
  readonly spec: UserSpec;
  readonly pendingAcks: number;
  /** Opens the connection and waits until the server accepted it; records the time taken. */
  connect(token: string, timeoutMs: number): Promise<void>;
  /** Joins the spec's room and waits for the confirmation; records the time taken. */
  join(timeoutMs: number): Promise<void>;
  /** Sends the next numbered message (no-op while not connected). */
  send(): void;
  close(timeoutMs?: number): Promise<void>;
}

/**
 * One simulated client: one WebSocket, one room. It speaks the client protocol (welcome, join,
 * send with a numeric ref, message, sent, error) and reports every event into the worker's stats.
 */
export class VirtualUser implements LoadClient {
  private ws?: WebSocket;
  private n = 0;
  /** n -> send time of messages still waiting for `sent` or an error. */
  private readonly pending = new Map<number, number>();
  private waiter?: { kind: 'welcome' | 'joined'; resolve: () => void; reject: (err: Error) => void };
  private closing = false;
  private welcomed = false;

  constructor(
    readonly spec: UserSpec,
    private readonly stats: WorkerStats,
    private readonly padding: number,
  ) {}

  get pendingAcks(): number {
    return this.pending.size;
  }

  get open(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Opens the socket and waits for `welcome`; records the time taken. */
  async connect(token: string, timeoutMs: number): Promise<void> {
    const started = nowMs();
    const ws = new WebSocket(`${this.spec.gateway}?token=${encodeURIComponent(token)}`, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
    this.ws = ws;
    const welcome = this.waitFor('welcome', timeoutMs);
    ws.on('message', (data) => this.onFrame(data.toString()));
    ws.once('unexpected-response', (_req, res) => {
      this.fail(new UserError(`HTTP_${res.statusCode}`, `upgrade refused with HTTP ${res.statusCode}`));
      ws.terminate();
    });
    ws.on('error', (err) => this.fail(new UserError('CONNECT_ERROR', err.message)));
    ws.on('close', (code) => this.onClose(code));
    await welcome;
    this.stats.connected(nowMs() - started);
  }

  async join(timeoutMs: number): Promise<void> {
    const started = nowMs();
    const joined = this.waitFor('joined', timeoutMs);
    this.ws?.send(JSON.stringify({ type: 'join', ref: JOIN_REF, room: this.spec.room }));
    await joined;
    this.stats.joined(this.spec.user, this.spec.room, nowMs() - started);
  }

  /** Sends the next numbered message; the send time travels in the text. */
  send(): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    const n = ++this.n;
    const at = nowMs();
    this.pending.set(n, at);
    this.stats.sent(at);
    ws.send(JSON.stringify({ type: 'send', ref: String(n), room: this.spec.room, text: encodePayload(n, at, this.padding) }));
  }

  async close(timeoutMs = 2000): Promise<void> {
    const ws = this.ws;
    this.closing = true;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else ws.close(1000);
    const timer = setTimeout(() => ws.terminate(), timeoutMs);
    await closed;
    clearTimeout(timer);
  }

  private waitFor(kind: 'welcome' | 'joined', timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new UserError(kind === 'welcome' ? 'CONNECT_TIMEOUT' : 'JOIN_TIMEOUT', `no ${kind} within ${timeoutMs} ms`)), timeoutMs);
      this.waiter = {
        kind,
        resolve: () => {
          clearTimeout(timer);
          this.waiter = undefined;
          resolve();
        },
        reject: (err) => {
          clearTimeout(timer);
          this.waiter = undefined;
          reject(err);
        },
      };
    });
  }

  private fail(err: Error): void {
    this.waiter?.reject(err);
  }

  private onFrame(text: string): void {
    const at = nowMs();
    let frame: Frame;
    try {
      frame = JSON.parse(text) as Frame;
    } catch {
      // Not JSON: counted, the connection goes on (the gateway only sends JSON, so this is a finding).
      this.stats.error('BAD_FRAME');
      return;
    }
    switch (frame.type) {
      case 'message': {
        if (frame.room !== this.spec.room || typeof frame.text !== 'string' || typeof frame.from !== 'string') return;
        const payload = decodePayload(frame.text);
        if (payload) this.stats.delivered(this.spec.user, frame.from, payload.n, Number(frame.seq), payload.sentAtMs, at);
        return;
      }
      case 'sent': {
        const n = Number(frame.ref);
        const sentAt = this.pending.get(n);
        if (sentAt === undefined) return;
        this.pending.delete(n);
        this.stats.acked(this.spec.user, n, at - sentAt, sentAt);
        return;
      }
      case 'welcome':
        this.welcomed = true;
        if (this.waiter?.kind === 'welcome') this.waiter.resolve();
        return;
      case 'joined':
        if (this.waiter?.kind === 'joined' && frame.ref === JOIN_REF) this.waiter.resolve();
        return;
      case 'error':
        this.onError(frame);
        return;
      default:
        // member, typing, notification, pong: not measured.
        return;
    }
  }

  private onError(frame: Frame): void {
    // A refusal by admission control (retryAfterMs) is counted apart from a timeout or an outage.
    const code = `${typeof frame.code === 'string' ? frame.code : 'UNKNOWN'}${typeof frame.retryAfterMs === 'number' ? '_RETRY_AFTER' : ''}`;
    if (frame.ref === JOIN_REF && this.waiter?.kind === 'joined') {
      this.waiter.reject(new UserError(`JOIN_${code}`, `join refused: ${code} ${String(frame.message ?? '')}`));
      return;
    }
    const n = Number(frame.ref);
    if (this.pending.delete(n)) this.stats.counters.failed++;
    this.stats.error(code);
  }

  private onClose(code: number): void {
    if (this.waiter) {
      this.fail(new UserError('CLOSED_EARLY', `socket closed (${code}) before ${this.waiter.kind}`));
      return;
    }
    // A socket that never got its welcome failed to connect: counted there, not as dropped.
    if (this.closing || !this.welcomed) return;
    this.stats.counters.dropped++;
    this.stats.error(`CLOSED_${code}`);
  }
}
