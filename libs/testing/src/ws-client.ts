import { createSigner } from 'fast-jwt';
import WebSocket from 'ws';

export type Frame = { type: string; ref?: string; [k: string]: unknown };

/** Test tokens expire in an hour unless told otherwise: the gateway refuses a token without `exp`. */
const TEST_TOKEN_TTL_MS = 60 * 60 * 1000;

export function signToken(user: string, secret: string, extra: Record<string, unknown> = {}, expiresInMs = TEST_TOKEN_TTL_MS): string {
  const sign = createSigner({ key: secret, algorithm: 'HS256', expiresIn: expiresInMs });
  return sign({ sub: user, ...extra });
}

/**
 * A WebSocket client for tests: keeps every frame it receives, and waits for the ones a test
 * expects (by predicate or by `ref`) with a bounded timeout instead of sleeping.
 */
export class TestClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly taken = new Set<Frame>();
  private waiters: Array<() => void> = [];
  private refSeq = 0;
  welcome!: Frame;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const frame = JSON.parse(isBinary ? Buffer.from(data as Buffer).toString() : data.toString()) as Frame;
      this.frames.push(frame);
      this.wake();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => {
      this.wake();
      resolve({ code, reason: reason.toString() });
    }));
  }

  /** Opens a socket and waits for `welcome`. Rejects with the HTTP status when the upgrade is refused. */
  static async connect(url: string, token?: string, opts: { timeoutMs?: number; headers?: Record<string, string> } = {}): Promise<TestClient> {
    const full = token ? `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : url;
    const ws = new WebSocket(full, { headers: opts.headers });
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: HTTP ${res.statusCode}`), { status: res.statusCode })));
      ws.once('error', reject);
    });
    client.welcome = await client.next((f) => f.type === 'welcome', opts.timeoutMs ?? 5000);
    return client;
  }

  send(frame: object | string): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends a frame with a fresh `ref` and waits for the reply (or error) that echoes it. */
  async request(frame: Record<string, unknown>, timeoutMs = 5000): Promise<Frame> {
    const ref = (frame.ref as string | undefined) ?? `r${++this.refSeq}`;
    this.send({ ...frame, ref });
    return this.next((f) => f.ref === ref, timeoutMs);
  }

  /** The first not-yet-taken frame that matches, waiting for it if needed. */
  next(pred: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const f = this.frames.find((x) => !this.taken.has(x) && pred(x));
        if (f) {
          this.taken.add(f);
          clearTimeout(timer);
          resolve(f);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const types = this.frames.slice(-10).map((f) => JSON.stringify(f).slice(0, 160));
        reject(new Error(`no matching frame within ${timeoutMs} ms; last frames: ${types.join(' | ')}`));
      }, timeoutMs);
      const waiter = () => {
        if (check()) this.waiters = this.waiters.filter((w) => w !== waiter);
      };
      if (!check()) this.waiters.push(waiter);
    });
  }

  /** Waits until `count` frames match (taking them) and returns them in arrival order. */
  async collect(pred: (f: Frame) => boolean, count: number, timeoutMs = 10000): Promise<Frame[]> {
    const out: Frame[] = [];
    const deadline = Date.now() + timeoutMs;
    while (out.length < count) out.push(await this.next(pred, Math.max(1, deadline - Date.now())));
    return out;
  }

  /** Frames received so far that match, without waiting or taking. */
  received(pred: (f: Frame) => boolean): Frame[] {
    return this.frames.filter(pred);
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close(1000);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.closed, new Promise((r) => (timer = setTimeout(r, 2000)))]);
    clearTimeout(timer);
    if ((this.ws.readyState as number) !== WebSocket.CLOSED) this.ws.terminate();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
