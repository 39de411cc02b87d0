import type { Redis } from '@relay/service-kit';

/**
 * A per-sender mention budget (docs/security.md "Abuse limits"): each sender may cause at most
 * `perWindow` mention notifications per `windowMs`, across messages, rooms and every
 * notification-service instance (the count lives in Redis). It stops one account from paging
 * thousands of users by mentioning them, since mentions may name any user id (PROTOCOL: the
 * mentioned user need not be a member of the room). `perWindow` 0 turns it off.
 * The only code that touches the keys `notif:{<sender>}:mention-budget` and
 * `notif:{<sender>}:mention-charged:<messageId>`.
 */
export class MentionBudget {
  constructor(
    private readonly redis: Redis,
    private readonly opts: { perWindow: number; windowMs: number },
  ) {}

  /** How many of `wanted` mentions the sender may still make now (0..wanted); charges them. */
  async take(sender: string, wanted: number): Promise<number> {
    if (this.opts.perWindow <= 0 || wanted <= 0) return wanted;
    const key = `notif:{${sender}}:mention-budget`;
    // INCRBY then PEXPIRE NX in one round trip: the window starts with the sender's first mention.
    const results = await this.redis.multi().incrby(key, wanted).pexpire(key, this.opts.windowMs, 'NX').exec();
    const after = Number(results?.[0]?.[1] ?? wanted);
    const before = after - wanted;
    return Math.max(0, Math.min(wanted, this.opts.perWindow - before));
  }

  /**
   * take(), charged at most once per message: a redelivered mention event gets the grant of its
   * first delivery back instead of spending the budget again. The grant is remembered for one
   * window (a redelivery comes within seconds).
   */
  async takeOnce(sender: string, messageId: string, wanted: number): Promise<number> {
    if (this.opts.perWindow <= 0 || wanted <= 0) return wanted;
    const chargedKey = `notif:{${sender}}:mention-charged:${messageId}`;
    const earlier = await this.redis.get(chargedKey);
    if (earlier !== null) return Math.min(wanted, Number(earlier));
    const granted = await this.take(sender, wanted);
    await this.redis.set(chargedKey, String(granted), 'PX', this.opts.windowMs);
    return granted;
  }
}
