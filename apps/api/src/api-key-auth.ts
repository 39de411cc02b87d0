/**
 * Backends authenticate with an API key (`Authorization: Bearer KEY` or `X-Api-Key: KEY`). Keys
 * are compared by their SHA-256 digests in constant time, so neither timing nor length leaks.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export class ApiKeys {
  private readonly digests: { digest: Buffer; name: string }[];

  constructor(keys: Map<string, string>) {
    this.digests = [...keys].map(([key, name]) => ({ digest: sha256(key), name }));
  }

  get configured(): boolean {
    return this.digests.length > 0;
  }

  /** The holder's name for a valid key, else undefined. */
  holderOf(headers: Record<string, string | string[] | undefined>): string | undefined {
    const key = keyFrom(headers);
    if (!key) return undefined;
    const digest = sha256(key);
    let holder: string | undefined;
    // Compare against every key (no early exit): the time does not tell which one matched.
    for (const k of this.digests) if (timingSafeEqual(k.digest, digest)) holder = k.name;
    return holder;
  }
}

function keyFrom(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim() || undefined;
  const x = headers['x-api-key'];
  return typeof x === 'string' && x ? x : undefined;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
