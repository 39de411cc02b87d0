/**
 * The slice of the WebSocket API the client uses. Browsers and Node 22+ have it as
 * `globalThis.WebSocket`; on Node 20 pass the `ws` package's class (same API). Typed loosely on
 * purpose so both, and test fakes, fit without casts at the call site.
 */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => object;

export const OPEN = 1;

export function defaultWebSocket(): WebSocketConstructor | undefined {
  return (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
}

/** "Unexpected server response: 401" (ws) -> 401; browsers reveal nothing, so undefined. */
export function httpStatusOf(error: unknown): number | undefined {
  const text = (error as { message?: unknown } | undefined)?.message;
  const m = typeof text === 'string' ? /\b([1-5]\d\d)\b/.exec(text) : null;
  return m ? Number(m[1]) : undefined;
}

/** Random hex id for clientMsgId: crypto.getRandomValues exists in every browser and Node 20. */
export function randomId(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}
