import type { ClientFrame, ServerFrame, WelcomeServerFrame } from '@relay/contracts';
import WebSocket from 'ws';
import { CliError, describeNetworkError, RequestFailed } from './errors';

export type Request = Exclude<ClientFrame, { type: 'typing' }>;

const REQUEST_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT_MS = 5_000;

/** One open socket after `welcome`: requests matched to replies by `ref`, other frames to `onFrame`. */
export class Connection {
  private refs = 0;
  private readonly pending = new Map<string, { resolve: (f: ServerFrame) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  onFrame: (frame: ServerFrame) => void = () => undefined;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(
    private readonly ws: WebSocket,
    readonly welcome: WelcomeServerFrame,
  ) {
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => {
        for (const p of this.pending.values()) {
          clearTimeout(p.timer);
          p.reject(new RequestFailed('DISCONNECTED', 'connection lost'));
        }
        this.pending.clear();
        resolve({ code, reason: reason.toString() });
      }),
    );
    ws.on('message', (data) => this.receive(data.toString()));
  }

  /** Opens the socket and waits for `welcome`; a refused upgrade (401) or network error is a CliError. */
  static open(url: string, token: string): Promise<Connection> {
    const full = `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(full, { handshakeTimeout: CONNECT_TIMEOUT_MS });
      const fail = (message: string) => {
        clearTimeout(timer);
        ws.removeAllListeners();
        ws.on('error', () => undefined); // a late error after terminate must not crash the process
        ws.terminate();
        reject(new CliError(message));
      };
      const timer = setTimeout(() => fail(`no welcome from ${url} within ${CONNECT_TIMEOUT_MS} ms`), CONNECT_TIMEOUT_MS);
      ws.once('unexpected-response', (_req, res) => {
        const hint = res.statusCode === 401 ? ': the token was refused (wrong secret, expired or malformed)' : res.statusCode === 404 ? ': no WebSocket endpoint there (path should be /ws)' : '';
        fail(`${url} refused the connection with HTTP ${res.statusCode}${hint}`);
      });
      ws.once('error', (err) => fail(`cannot connect to ${url}: ${describeNetworkError(err)}`));
      ws.once('close', (code) => fail(`${url} closed the connection before welcome (code ${code})`));
      ws.once('message', (data) => {
        let frame: ServerFrame;
        try {
          frame = JSON.parse(data.toString()) as ServerFrame;
        } catch {
          fail(`${url} sent something that is not JSON: is it a Relay gateway?`);
          return;
        }
        if (frame.type !== 'welcome') {
          fail(`${url} sent ${frame.type} before welcome`);
          return;
        }
        clearTimeout(timer);
        ws.removeAllListeners();
        ws.on('error', () => undefined); // errors show up as 'close', handled there
        resolve(new Connection(ws, frame));
      });
    });
  }

  request<T extends ServerFrame = ServerFrame>(frame: Request): Promise<T> {
    const ref = `r${++this.refs}`;
    return new Promise<T>((resolve, reject) => {
      if (this.ws.readyState !== WebSocket.OPEN) {
        reject(new RequestFailed('DISCONNECTED', 'not connected'));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(new RequestFailed('TIMEOUT', `no reply to ${frame.type} within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(ref, { resolve: resolve as (f: ServerFrame) => void, reject, timer });
      this.ws.send(JSON.stringify({ ...frame, ref }));
    });
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close(1000);
    const timer = setTimeout(() => this.ws.terminate(), 2000);
    await this.closed;
    clearTimeout(timer);
  }

  private receive(raw: string): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(raw) as ServerFrame;
    } catch {
      return; // not our protocol; the gateway only sends JSON
    }
    const ref = 'ref' in frame ? frame.ref : undefined;
    const waiter = ref !== undefined ? this.pending.get(ref) : undefined;
    if (ref !== undefined && waiter) {
      this.pending.delete(ref);
      clearTimeout(waiter.timer);
      if (frame.type === 'error') waiter.reject(new RequestFailed(frame.code, frame.message));
      else waiter.resolve(frame);
      return;
    }
    this.onFrame(frame);
  }
}
