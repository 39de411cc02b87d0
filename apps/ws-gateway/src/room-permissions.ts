import type { RoomGrant, TokenClaims } from '@relay/contracts';
import type { Logger } from '@relay/service-kit';
import type { PermissionConfig } from './config';
import { gatewayError } from './errors';

/** What a request needs: join, history and presence read a room; send and typing write to it. */
export type RoomAccess = 'read' | 'write';
type Grant = RoomGrant | 'none';

/** Webhook answers kept at most this many (user, room) pairs; the oldest go first. */
const MAX_CACHED_ANSWERS = 10000;

/**
 * Who may read or write which room (docs/security.md "Private rooms"). Rooms are public unless
 * they match PRIVATE_ROOMS. A private room needs a grant: from the token's `rooms` claim
 * (pattern -> read|write), or else from the application's permission webhook, whose answers
 * are cached for PERMISSION_CACHE_MS. Refusals are FORBIDDEN; a webhook that cannot answer is
 * SERVICE_UNAVAILABLE (fail closed: an outage never opens a private room).
 */
export class RoomPermissions {
  private readonly cache = new Map<string, { grant: Grant; until: number }>();

  constructor(
    private readonly config: PermissionConfig,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  isPrivate(room: string): boolean {
    return this.config.privateRooms.some((p) => matches(p, room));
  }

  /** Resolves when `user` may do `need` in `room`; throws GW_FORBIDDEN (or GW_PERMISSIONS_UNAVAILABLE) otherwise. */
  async check(claims: TokenClaims, room: string, need: RoomAccess): Promise<void> {
    if (!this.isPrivate(room)) return;
    let grant = grantFromClaims(claims.rooms, room);
    if (grant === 'none' && this.config.webhookUrl) grant = await this.askWebhook(claims.sub, room);
    if (grant === 'write' || (grant === 'read' && need === 'read')) return;
    throw gatewayError('GW_FORBIDDEN', need === 'write' ? `you may not write to ${room}` : `you may not read ${room}`);
  }

  private async askWebhook(user: string, room: string): Promise<Grant> {
    const key = `${user}\n${room}`;
    const cached = this.cache.get(key);
    if (cached && cached.until > this.now()) return cached.grant;
    const url = this.config.webhookUrl as string;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user, room }),
        signal: AbortSignal.timeout(this.config.webhookTimeoutMs),
      });
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, room }, 'permission webhook unreachable');
      throw gatewayError('GW_PERMISSIONS_UNAVAILABLE', undefined, err);
    }
    // An unread body keeps its connection (and the process) alive: drop it when not read.
    if (!res.ok) await res.body?.cancel().catch(() => undefined);
    if (res.status >= 500) {
      this.logger.warn({ status: res.status, room }, 'permission webhook failed');
      throw gatewayError('GW_PERMISSIONS_UNAVAILABLE');
    }
    let grant: Grant = 'none';
    if (res.ok) {
      const body = (await res.json().catch(() => undefined)) as { read?: unknown; write?: unknown } | undefined;
      grant = body?.write === true ? 'write' : body?.read === true ? 'read' : 'none';
    }
    // A 4xx is a clear "no"; it is cached like any other answer.
    this.remember(key, grant);
    return grant;
  }

  private remember(key: string, grant: Grant): void {
    if (this.config.cacheMs <= 0) return;
    this.cache.delete(key);
    this.cache.set(key, { grant, until: this.now() + this.config.cacheMs });
    if (this.cache.size > MAX_CACHED_ANSWERS) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }
}

/** `lobby` matches only lobby; `team-*` every room starting with `team-`; `*` every room. */
export function matches(pattern: string, room: string): boolean {
  return pattern.endsWith('*') ? room.startsWith(pattern.slice(0, -1)) : pattern === room;
}

/**
 * The token's grant for a room: an exact name wins over patterns, a longer prefix over a
 * shorter one, so `{"team-*":"write","team-board":"read"}` makes team-board read-only.
 */
export function grantFromClaims(rooms: TokenClaims['rooms'], room: string): Grant {
  if (!rooms) return 'none';
  const exact = rooms[room];
  if (exact) return exact;
  let best: { length: number; grant: RoomGrant } | undefined;
  for (const [pattern, grant] of Object.entries(rooms)) {
    if (!pattern.endsWith('*') || !matches(pattern, room)) continue;
    if (!best || pattern.length > best.length) best = { length: pattern.length, grant };
  }
  return best?.grant ?? 'none';
}
