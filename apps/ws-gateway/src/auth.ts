import type { IncomingHttpHeaders } from 'node:http';
import { createVerifier } from 'fast-jwt';
import { TokenClaims, validate } from '@relay/contracts';

export type AuthResult = { ok: true; claims: TokenClaims } | { ok: false; reason: string };

/**
 * Verifies a client's JWT: HS256 with the shared secret only (a token signed with any other
 * algorithm, `none` included, is refused like a forged one), not expired, and claims that
 * match TokenClaims (`sub` becomes a NATS subject token, so its pattern matters).
 */
export function createTokenVerifier(secret: string): (token: string) => AuthResult {
  const verify = createVerifier({ key: secret, algorithms: ['HS256'], cache: 1000 });
  return (token) => {
    let payload: unknown;
    try {
      payload = verify(token);
    } catch (err) {
      return { ok: false, reason: (err as { code?: string }).code ?? 'FAST_JWT_INVALID' };
    }
    const claims = validate(TokenClaims, payload);
    if (!claims.ok) return { ok: false, reason: `bad claims: ${claims.error}` };
    return { ok: true, claims: claims.value };
  };
}

/** The token from `?token=` (browsers cannot set headers) or `Authorization: Bearer`. */
export function tokenFrom(query: unknown, headers: IncomingHttpHeaders): string | undefined {
  const fromQuery = (query as { token?: unknown } | undefined)?.token;
  if (typeof fromQuery === 'string' && fromQuery.length > 0) return fromQuery;
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    if (m) return m[1];
  }
  return undefined;
}
