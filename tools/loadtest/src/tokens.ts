import { createSigner } from 'fast-jwt';
import { httpOrigin } from './args';

export type TokenSource = (user: string, gatewayUrl: string) => Promise<string>;

/** Load-test tokens live a day: the gateway refuses a token without `exp`. */
const LOCAL_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

/** HS256 tokens signed here, with the gateway's JWT_SECRET (no HTTP round trip per user). */
export function localTokens(secret: string): TokenSource {
  const sign = createSigner({ key: secret, algorithm: 'HS256', expiresIn: LOCAL_TOKEN_TTL_MS });
  return async (user) => sign({ sub: user });
}

/** Tokens from the gateway's POST /auth/dev-token (the gateway must run with AUTH_DEV_TOKENS=1). */
export function devTokens(timeoutMs = 10000): TokenSource {
  return async (user, gatewayUrl) => {
    const url = `${httpOrigin(gatewayUrl)}/auth/dev-token`;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) {
      await res.arrayBuffer();
      throw new TokenError(res.status === 404 ? `${url} answered 404: start the gateway with AUTH_DEV_TOKENS=1 or pass --jwt-secret` : `${url} answered HTTP ${res.status}`);
    }
    const body = (await res.json()) as { token?: unknown };
    if (typeof body.token !== 'string') throw new TokenError(`${url} answered without a token`);
    return body.token;
  };
}

export class TokenError extends Error {
  override readonly name = 'TokenError';
}
