import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Logger } from '@relay/service-kit';
import type { TokenAlgorithm } from './config';

/** A public key ready for the verifier; a new object after every reload that changed it. */
export interface PublicKey {
  pem: string;
  alg: TokenAlgorithm;
}

export interface JwksOptions {
  file?: string;
  url?: string;
  refreshMs: number;
  logger: Logger;
  /** A token with an unknown kid triggers a reload at most this often (a new key was published). */
  unknownKidReloadMs?: number;
  fetchTimeoutMs?: number;
}

const DEFAULT_UNKNOWN_KID_RELOAD_MS = 10000;

/**
 * The RS256/ES256 public keys of the identity provider, by `kid`, from a JWKS file or URL.
 * Several keys live side by side, so a provider can publish the next key before signing with
 * it and keep the old one until its tokens have expired (rotation overlap). Reloaded every
 * `refreshMs`, and early (rate-limited) when a token names a kid not seen yet. A reload that
 * fails keeps the keys already loaded. Node's crypto reads JWKs itself: no extra dependency.
 */
export class JwksKeys {
  private keys = new Map<string, PublicKey>();
  private timer?: NodeJS.Timeout;
  private lastLoad = 0;
  private loading?: Promise<void>;

  constructor(private readonly opts: JwksOptions) {}

  /** Loads once (start-up fails when the keys cannot be read) and starts the refresh timer. */
  async start(): Promise<void> {
    await this.load();
    if (this.keys.size === 0) throw new Error('the JWKS holds no usable RS256/ES256 key');
    this.timer = setInterval(() => void this.reload(), this.opts.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  get kids(): string[] {
    return [...this.keys.keys()];
  }

  async keyFor(kid: string, alg: TokenAlgorithm): Promise<PublicKey | undefined> {
    let key = this.keys.get(kid);
    if (!key && Date.now() - this.lastLoad >= (this.opts.unknownKidReloadMs ?? DEFAULT_UNKNOWN_KID_RELOAD_MS)) {
      await this.reload();
      key = this.keys.get(kid);
    }
    return key && key.alg === alg ? key : undefined;
  }

  /** Reloads, logging (not throwing) a failure: the keys already loaded stay in use. */
  async reload(): Promise<void> {
    try {
      await this.load();
    } catch (err) {
      this.opts.logger.warn({ err: (err as Error).message }, 'JWKS reload failed; keeping the keys loaded before');
    }
  }

  private load(): Promise<void> {
    this.loading ??= this.fetchAndParse().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async fetchAndParse(): Promise<void> {
    this.lastLoad = Date.now();
    const text = this.opts.file !== undefined ? await readFile(this.opts.file, 'utf8') : await this.fetchUrl();
    const next = parseJwks(JSON.parse(text) as unknown, (why) => this.opts.logger.warn({ why }, 'JWKS key skipped'));
    // Keep the old objects for unchanged keys: their verifiers (and caches) stay valid.
    for (const [kid, key] of next) {
      const old = this.keys.get(kid);
      if (old && old.pem === key.pem && old.alg === key.alg) next.set(kid, old);
    }
    this.keys = next;
    this.opts.logger.info({ kids: [...next.keys()] }, 'JWKS loaded');
  }

  private async fetchUrl(): Promise<string> {
    const url = this.opts.url;
    if (url === undefined) throw new Error('no JWKS file or URL');
    const res = await fetch(url, { signal: AbortSignal.timeout(this.opts.fetchTimeoutMs ?? 5000) });
    if (!res.ok) throw new Error(`JWKS ${url} answered HTTP ${res.status}`);
    return res.text();
  }
}

/** The usable signing keys of a JWKS document, by kid; a key that does not fit is skipped with a reason. */
export function parseJwks(doc: unknown, skipped: (why: string) => void): Map<string, PublicKey> {
  const out = new Map<string, PublicKey>();
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new Error('a JWKS document needs a "keys" array');
  for (const raw of keys as unknown[]) {
    const jwk = raw as JsonWebKey & { kid?: unknown; alg?: unknown; use?: unknown };
    if (typeof jwk !== 'object' || jwk === null || typeof jwk.kid !== 'string' || jwk.kid === '') {
      skipped('a key without a kid');
      continue;
    }
    if (jwk.use !== undefined && jwk.use !== 'sig') {
      skipped(`${jwk.kid}: use is not sig`);
      continue;
    }
    const alg: TokenAlgorithm | undefined = jwk.kty === 'RSA' ? 'RS256' : jwk.kty === 'EC' && jwk.crv === 'P-256' ? 'ES256' : undefined;
    if (!alg || (jwk.alg !== undefined && jwk.alg !== alg)) {
      skipped(`${jwk.kid}: not an RS256 (RSA) or ES256 (EC P-256) key`);
      continue;
    }
    try {
      const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
      out.set(jwk.kid, { pem, alg });
    } catch (err) {
      skipped(`${jwk.kid}: ${(err as Error).message}`);
    }
  }
  return out;
}
