import type { IncomingHttpHeaders } from 'node:http';
import { createVerifier } from 'fast-jwt';
import { TokenClaims, validate } from '@relay/contracts';
import type { TokenAlgorithm, TokenConfig } from './config';
import type { JwksKeys } from './jwks';

export type AuthResult = { ok: true; claims: TokenClaims } | { ok: false; reason: string };
export type TokenVerifier = (token: string) => Promise<AuthResult>;

type FastVerifier = (token: string) => unknown;

/** The WebSocket subprotocol every client offers; the token may ride next to it as `bearer.<JWT>`. */
export const RELAY_SUBPROTOCOL = 'relay.v1';
const BEARER_PROTOCOL_PREFIX = 'bearer.';

/**
 * Verifies a client's JWT (docs/security.md "Tokens"): the header's `alg` must be one the
 * deployment configured (so `none`, and HS256 when only a JWKS is configured, are refused
 * before any key is looked at); HS256 tokens are checked against the current secret and then
 * the previous one (rotation overlap); RS256/ES256 tokens against the JWKS key named by `kid`.
 * `exp` is required; `aud`, `iss` when configured; `nbf`; all with the configured clock skew.
 * The claims must then match TokenClaims (`sub` a user id).
 */
export function createTokenVerifier(config: TokenConfig, jwks?: JwksKeys): TokenVerifier {
  const common = {
    // A configured audience or issuer must be present, not only match when present.
    requiredClaims: ['exp', ...(config.audiences.length > 0 ? ['aud'] : []), ...(config.issuers.length > 0 ? ['iss'] : [])],
    clockTolerance: config.clockSkewMs,
    cache: 1000,
    ...(config.audiences.length > 0 ? { allowedAud: config.audiences } : {}),
    ...(config.issuers.length > 0 ? { allowedIss: config.issuers } : {}),
  };
  const hs256 = config.algorithms.includes('HS256') ? config.secrets.map((key) => createVerifier({ ...common, key, algorithms: ['HS256'] })) : [];
  // One verifier per (kid, key material): made when a key is first used, dropped with the key.
  const byKey = new WeakMap<object, FastVerifier>();
  const asymmetricVerifier = (pem: object & { pem: string }, alg: TokenAlgorithm): FastVerifier => {
    let v = byKey.get(pem);
    if (!v) {
      v = createVerifier({ ...common, key: pem.pem, algorithms: [alg] });
      byKey.set(pem, v);
    }
    return v;
  };

  return async (token) => {
    const header = decodeHeader(token);
    if (!header) return { ok: false, reason: 'malformed token' };
    const alg = header.alg as TokenAlgorithm;
    if (typeof header.alg !== 'string' || !config.algorithms.includes(alg)) return { ok: false, reason: `alg ${String(header.alg)} is not accepted` };
    let verifiers: FastVerifier[];
    if (alg === 'HS256') verifiers = hs256;
    else {
      if (!jwks) return { ok: false, reason: 'no JWKS configured' };
      if (typeof header.kid !== 'string') return { ok: false, reason: `${alg} token without kid` };
      const key = await jwks.keyFor(header.kid, alg);
      if (!key) return { ok: false, reason: `unknown kid ${header.kid.slice(0, 64)} for ${alg}` };
      verifiers = [asymmetricVerifier(key, alg)];
    }
    let payload: unknown;
    let reason = 'FAST_JWT_INVALID';
    for (const verify of verifiers) {
      try {
        payload = verify(token);
        break;
      } catch (err) {
        reason = (err as { code?: string }).code ?? 'FAST_JWT_INVALID';
        // A wrong signature may be the previous secret's token; any other failure is final.
        if (reason !== 'FAST_JWT_INVALID_SIGNATURE') break;
      }
    }
    if (payload === undefined) return { ok: false, reason };
    const claims = validate(TokenClaims, payload);
    if (!claims.ok) return { ok: false, reason: `bad claims: ${claims.error}` };
    return { ok: true, claims: claims.value };
  };
}

/** The JOSE header, unverified: only to choose the key; the signature check comes after. */
function decodeHeader(token: string): { alg?: unknown; kid?: unknown } | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0 || dot > 2048) return undefined;
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null ? (header as { alg?: unknown; kid?: unknown }) : undefined;
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/**
 * The token from, in order: the `bearer.<JWT>` WebSocket subprotocol (keeps it out of URLs and
 * logs), `Authorization: Bearer`, or `?token=` (browsers that cannot do either).
 */
export function tokenFrom(query: unknown, headers: IncomingHttpHeaders): string | undefined {
  const protocols = headers['sec-websocket-protocol'];
  if (typeof protocols === 'string') {
    for (const p of protocols.split(',')) {
      const t = p.trim();
      if (t.startsWith(BEARER_PROTOCOL_PREFIX) && t.length > BEARER_PROTOCOL_PREFIX.length) return t.slice(BEARER_PROTOCOL_PREFIX.length);
    }
  }
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    if (m) return m[1];
  }
  const fromQuery = (query as { token?: unknown } | undefined)?.token;
  if (typeof fromQuery === 'string' && fromQuery.length > 0) return fromQuery;
  return undefined;
}

/**
 * The subprotocol the server answers with: `relay.v1` when offered, never a `bearer.` one
 * (that would echo the token). A client that offers only a bearer protocol gets none.
 */
export function selectSubprotocol(offered: Set<string>): string | false {
  return offered.has(RELAY_SUBPROTOCOL) ? RELAY_SUBPROTOCOL : false;
}
