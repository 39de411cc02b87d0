/** How long a client refused for too many connections is told to wait (Retry-After, seconds). */
export const CONNECTION_LIMIT_RETRY_AFTER_S = 10;

export type Admission = { ok: true; release: () => void } | { ok: false; reason: string; retryAfterS: number };

/**
 * Connections per user and per client address on this gateway instance (0 = no limit). Checked
 * on the upgrade request, before any socket opens; the slot is released when the connection's
 * TCP socket closes (also when the upgrade never completed). One user or one address cannot
 * exhaust a gateway's sockets; limits across instances follow from the load balancer's spread.
 */
export class ConnectionLimits {
  private readonly perUser = new Map<string, number>();
  private readonly perIp = new Map<string, number>();

  constructor(private readonly limits: { maxPerUser: number; maxPerIp: number }) {}

  admit(user: string, ip: string): Admission {
    if (this.limits.maxPerUser > 0 && (this.perUser.get(user) ?? 0) >= this.limits.maxPerUser) {
      return { ok: false, reason: `at most ${this.limits.maxPerUser} connections per user`, retryAfterS: CONNECTION_LIMIT_RETRY_AFTER_S };
    }
    if (this.limits.maxPerIp > 0 && (this.perIp.get(ip) ?? 0) >= this.limits.maxPerIp) {
      return { ok: false, reason: `at most ${this.limits.maxPerIp} connections per address`, retryAfterS: CONNECTION_LIMIT_RETRY_AFTER_S };
    }
    bump(this.perUser, user, 1);
    bump(this.perIp, ip, 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        bump(this.perUser, user, -1);
        bump(this.perIp, ip, -1);
      },
    };
  }

  countOf(user: string, ip: string): { user: number; ip: number } {
    return { user: this.perUser.get(user) ?? 0, ip: this.perIp.get(ip) ?? 0 };
  }
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}
