import { RelayClient, RelayError, type WebSocketConstructor } from '@relay/client';
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

/** Refs of the lean sends: a prefix RelayClient's own numeric refs never carry. */
const LEAN_REF = 'L';

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

/** The report's code for a server refusal: admission control (retryAfterMs) counted apart. */
function refusalCode(code: string, retryAfterMs: unknown): string {
  return `${code}${typeof retryAfterMs === 'number' ? '_RETRY_AFTER' : ''}`;
}

/** The report's code for a failed connection attempt: the HTTP status when the upgrade was refused. */
function connectCode(err: RelayError): string {
  return err.details.status !== undefined ? `HTTP_${err.details.status}` : err.code;
}

/**
 * One simulated client: one @relay/client RelayClient (over the `ws` package), one room. The
 * connection, the join and the close go through RelayClient, so the load test exercises the same
 * client code as the web page and the CLI.
 *
 * The hot loop is lean on purpose: sends are written as raw `send` frames on RelayClient's socket,
 * and `message`/`sent`/`error` frames are read raw from it. Why: the load test measures the server,
 * and RelayClient hides exactly what it must see: it drops duplicate messages (the "duplicates"
 * check could never fail) and queues and resends sends across reconnects (loss would be masked).
 * Speed is not the reason: measured, the generator's CPU was the same both ways (docs/benchmarks.md,
 * "The load tester's client path").
 */
export class VirtualUser implements LoadClient {
  private client?: RelayClient;
  private socket?: WebSocket;
  private n = 0;
  /** n -> send time of messages still waiting for `sent` or an error. */
  private readonly pending = new Map<number, number>();
  private closing = false;
  private welcomed = false;
  private dropped = false;

  constructor(
    readonly spec: UserSpec,
    private readonly stats: WorkerStats,
    private readonly padding: number,
  ) {}

  get pendingAcks(): number {
    return this.pending.size;
  }

  /** Connects through RelayClient and waits for `welcome`; records the time taken. */
  async connect(token: string, timeoutMs: number): Promise<void> {
    const started = nowMs();
    const client = new RelayClient({
      url: this.spec.gateway,
      token,
      WebSocket: this.socketClass(),
      connectTimeoutMs: timeoutMs,
      requestTimeoutMs: timeoutMs,
    });
    this.client = client;
    // RelayClient retries a failed attempt forever; a load test counts the first failure instead.
    const failed = new Promise<never>((_resolve, reject) => {
      const off = client.on('error', (err) => {
        if (this.welcomed) return off();
        if (err.code === 'CONNECT_FAILED') reject(new UserError(connectCode(err), err.message));
      });
    });
    client.on('state', (status) => {
      // A connection that was open and went away is a drop; the simulated user stops there (no
      // reconnect), so what it missed shows up as loss instead of being recovered.
      if (!this.welcomed || this.closing || this.dropped) return;
      if (status.state === 'reconnecting' || status.state === 'closed') {
        this.dropped = true;
        this.stats.counters.dropped++;
        this.stats.error(`CLOSED_${status.closeCode ?? 'UNKNOWN'}`);
        void client.close();
      }
    });
    const opened = client.connect();
    opened.catch(() => undefined); // after a counted failure, close() rejects it with CLOSED
    await Promise.race([opened, failed]);
    this.welcomed = true;
    this.stats.connected(nowMs() - started);
  }

  async join(timeoutMs: number): Promise<void> {
    const started = nowMs();
    const client = this.client;
    if (!client) throw new UserError('JOIN_NOT_CONNECTED', 'join before connect');
    try {
      await client.join(this.spec.room, { timeoutMs });
    } catch (err) {
      if (!(err instanceof RelayError)) throw err;
      const e = err;
      if (e.code === 'TIMEOUT') throw new UserError('JOIN_TIMEOUT', `no joined within ${timeoutMs} ms`);
      const code = refusalCode(e.code, e.details.retryAfterMs);
      throw new UserError(`JOIN_${code}`, `join refused: ${code} ${e.message}`);
    }
    this.stats.joined(this.spec.user, this.spec.room, nowMs() - started);
  }

  /** Sends the next numbered message (lean path); the send time travels in the text. */
  send(): void {
    const ws = this.socket;
    if (!ws || ws.readyState !== WebSocket.OPEN || !this.client?.welcome) return;
    const n = ++this.n;
    const at = nowMs();
    this.pending.set(n, at);
    this.stats.sent(at);
    ws.send(JSON.stringify({ type: 'send', ref: `${LEAN_REF}${n}`, room: this.spec.room, text: encodePayload(n, at, this.padding) }));
  }

  async close(timeoutMs = 2000): Promise<void> {
    this.closing = true;
    const client = this.client;
    if (!client) return;
    const timer = setTimeout(() => this.socket?.terminate(), timeoutMs);
    await client.close();
    clearTimeout(timer);
  }

  /** `ws` for RelayClient, remembering each socket it opens so the lean loop can use it. */
  private socketClass(): WebSocketConstructor {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the class below needs this user
    const user = this;
    return class LoadSocket extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { perMessageDeflate: false });
        user.socket = this;
        this.on('message', (data) => user.onFrame(data.toString()));
      }
    };
  }

  /** The lean receive path: the frames the measurement needs, exactly as the server sent them. */
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
        const n = this.leanRef(frame.ref);
        const sentAt = n === undefined ? undefined : this.pending.get(n);
        if (n === undefined || sentAt === undefined) return;
        this.pending.delete(n);
        this.stats.acked(this.spec.user, n, at - sentAt, sentAt);
        return;
      }
      case 'error': {
        // Errors of RelayClient's own requests (the join) are its to report.
        if (typeof frame.ref === 'string' && !frame.ref.startsWith(LEAN_REF)) return;
        const n = this.leanRef(frame.ref);
        if (n !== undefined && this.pending.delete(n)) this.stats.counters.failed++;
        this.stats.error(refusalCode(typeof frame.code === 'string' ? frame.code : 'UNKNOWN', frame.retryAfterMs));
        return;
      }
      default:
        // welcome, joined, member, typing, notification, pong: RelayClient's, not measured.
        return;
    }
  }

  private leanRef(ref: unknown): number | undefined {
    return typeof ref === 'string' && ref.startsWith(LEAN_REF) ? Number(ref.slice(LEAN_REF.length)) : undefined;
  }
}
