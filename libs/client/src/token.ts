/**
 * Tokens as the client sees them: a fixed string or a provider the client calls again for every
 * connection attempt and before expiry, and the `exp` claim read without verifying (the gateway
 * verifies; the client only needs to know when to refresh).
 */
export type TokenReason = 'connect' | 'reconnect' | 'refresh' | 'expired' | 'refused';

export type TokenProvider = (ctx: { reason: TokenReason }) => string | Promise<string>;

export type TokenSource = string | TokenProvider;

export function obtainToken(source: TokenSource, reason: TokenReason): Promise<string> {
  return typeof source === 'string' ? Promise.resolve(source) : Promise.resolve().then(() => source({ reason }));
}

/** The token's `exp` in epoch seconds, or undefined when it has none or is not a JWT. */
export function tokenExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const json = JSON.parse(atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4))) as { exp?: unknown };
    return typeof json.exp === 'number' ? json.exp : undefined;
  } catch {
    return undefined; // not a JWT we can read: no scheduled refresh, the server's 4001 still works
  }
}
