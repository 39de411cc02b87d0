/**
 * A scripted stand-in for a WebSocket: records what the client writes and lets a test play the
 * gateway (open, welcome, replies, drops) step by step, with no network and no real timers.
 */
export class FakeSocket {
  static instances: FakeSocket[] = [];
  readyState = 0;
  readonly sent: Record<string, unknown>[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  closedWith?: number;

  constructor(
    readonly url: string,
    readonly protocols?: string | string[],
  ) {
    FakeSocket.instances.push(this);
  }

  static reset(): void {
    FakeSocket.instances = [];
  }

  static get last(): FakeSocket {
    const s = FakeSocket.instances[FakeSocket.instances.length - 1];
    if (!s) throw new Error('no socket was opened');
    return s;
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }

  close(code = 1000): void {
    if (this.readyState >= 2) return;
    this.closedWith = code;
    this.readyState = 3;
    queueMicrotask(() => this.onclose?.({ code }));
  }

  // --- the test plays the gateway ---
  open(user = 'alice', gateway = 'gw-1'): void {
    this.readyState = 1;
    this.onopen?.({});
    this.deliver({ type: 'welcome', user, session: 's1', gateway });
  }

  deliver(frame: Record<string, unknown>): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  /** Replies to the last frame of `type` the client wrote, echoing its ref. */
  reply(type: string, frame: Record<string, unknown>): void {
    const req = [...this.sent].reverse().find((f) => f.type === type);
    if (!req) throw new Error(`the client sent no ${type}; it sent ${JSON.stringify(this.sent)}`);
    this.deliver({ ...frame, ref: req.ref });
  }

  /** The connection ends from the server side (or the network). */
  drop(code = 1006, error?: unknown, reason?: string): void {
    if (error) this.onerror?.({ error });
    this.readyState = 3;
    this.onclose?.({ code, ...(reason !== undefined ? { reason } : {}) });
  }

  sentOf(type: string): Record<string, unknown>[] {
    return this.sent.filter((f) => f.type === type);
  }
}

/** Lets promise chains run (the client awaits the token provider before opening a socket). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** A JWT-shaped token (unsigned: the client never verifies) with the given exp. */
export function fakeJwt(sub: string, exp?: number): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, ...(exp !== undefined ? { exp } : {}) })}.sig`;
}
