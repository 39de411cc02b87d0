/**
 * A simulated client of the Socket.IO reference peer (tools/reference-peer): the same scenario as
 * VirtualUser (connect with a token, join one room, send numbered messages, count every delivery)
 * spoken with socket.io-client over the WebSocket transport, so one load generator measures both
 * systems the same way.
 */
import { io, type Socket } from 'socket.io-client';
import type { UserSpec } from './messages';
import { decodePayload, encodePayload, nowMs } from './payload';
import type { WorkerStats } from './stats';
import { UserError, type LoadClient } from './virtual-user';

type Ack = { error?: unknown };
type Message = { room?: unknown; from?: unknown; text?: unknown };

/** The peer listens on plain HTTP at the gateway URL's origin (the /ws path is Relay's, not Socket.IO's). */
function origin(gatewayUrl: string): string {
  return `http://${new URL(gatewayUrl).host}`;
}

export class SocketIoUser implements LoadClient {
  private socket?: Socket;
  private n = 0;
  private readonly pending = new Map<number, number>();
  private closing = false;
  private connected = false;

  constructor(
    readonly spec: UserSpec,
    private readonly stats: WorkerStats,
    private readonly padding: number,
  ) {}

  get pendingAcks(): number {
    return this.pending.size;
  }

  connect(token: string, timeoutMs: number): Promise<void> {
    const started = nowMs();
    const socket = io(origin(this.spec.gateway), { transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true, timeout: timeoutMs });
    this.socket = socket;
    socket.on('message', (m: Message) => this.onMessage(m));
    socket.on('disconnect', (reason) => {
      if (this.closing || !this.connected) return;
      this.stats.counters.dropped++;
      this.stats.error(`DISCONNECT_${reason.replace(/\s+/g, '_').toUpperCase()}`);
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new UserError('CONNECT_TIMEOUT', `not connected within ${timeoutMs} ms`)), timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        this.connected = true;
        this.stats.connected(nowMs() - started);
        resolve();
      });
      socket.once('connect_error', (err) => {
        clearTimeout(timer);
        reject(new UserError('CONNECT_ERROR', err.message));
      });
    });
  }

  async join(timeoutMs: number): Promise<void> {
    const started = nowMs();
    const socket = this.socket;
    if (!socket) throw new UserError('JOIN_NOT_CONNECTED', 'join before connect');
    let res: Ack;
    try {
      res = (await socket.timeout(timeoutMs).emitWithAck('join', this.spec.room)) as Ack;
    } catch {
      throw new UserError('JOIN_TIMEOUT', `no join ack within ${timeoutMs} ms`);
    }
    if (res?.error) throw new UserError(`JOIN_${String(res.error)}`, `join refused: ${String(res.error)}`);
    this.stats.joined(this.spec.user, this.spec.room, nowMs() - started);
  }

  send(): void {
    const socket = this.socket;
    if (!socket?.connected) return;
    const n = ++this.n;
    const at = nowMs();
    this.pending.set(n, at);
    this.stats.sent(at);
    socket.emit('send', { room: this.spec.room, text: encodePayload(n, at, this.padding) }, (res: Ack) => {
      const sentAt = this.pending.get(n);
      if (sentAt === undefined) return;
      this.pending.delete(n);
      if (res?.error) {
        this.stats.counters.failed++;
        this.stats.error(String(res.error));
        return;
      }
      this.stats.acked(this.spec.user, n, nowMs() - sentAt, sentAt);
    });
  }

  async close(timeoutMs = 2000): Promise<void> {
    this.closing = true;
    const socket = this.socket;
    if (!socket) return;
    if (!socket.connected) {
      socket.close();
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      socket.once('disconnect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.close();
    });
  }

  private onMessage(m: Message): void {
    const at = nowMs();
    if (m.room !== this.spec.room || typeof m.text !== 'string' || typeof m.from !== 'string') return;
    const payload = decodePayload(m.text);
    // No room seq in this scenario: the ledger checks order per sender instead (seq 0).
    if (payload) this.stats.delivered(this.spec.user, m.from, payload.n, 0, payload.sentAtMs, at);
  }
}
