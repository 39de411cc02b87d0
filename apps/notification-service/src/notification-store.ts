import type { Notification } from '@relay/contracts';
import type { Redis } from '@relay/service-kit';
import { ReplyError } from 'ioredis';
import { notifyError } from './errors';
import { ACK_PENDING_LUA } from './lua/ack-pending';
import { READ_PENDING_LUA } from './lua/read-pending';
import { STORE_PENDING_LUA } from './lua/store-pending';

export interface StoreLimits {
  pendingMaxPerUser: number;
  pendingTtlMs: number;
  idempotencyTtlMs: number;
}

export type StoreResult =
  | { status: 'created'; id: string; evicted: number }
  /** The idempotency key was seen: `pending` is the first notification while it is still pending. */
  | { status: 'duplicate'; id: string; pending?: Notification };

/** Keys of one user share the hash tag `{user}`, so every script stays in one Redis Cluster slot. */
export const storeKeys = {
  pending: (user: string) => `notif:{${user}}:pending`,
  bodies: (user: string) => `notif:{${user}}:body`,
  idempotency: (user: string, scope: string) => `notif:{${user}}:idem:${scope}`,
};

type StoreReply = [status: 'created' | 'duplicate', id: string, body: string, evicted: number];

interface ScriptedRedis extends Redis {
  notifStorePending(pending: string, bodies: string, idem: string, ...argv: (string | number)[]): Promise<StoreReply>;
  notifReadPending(pending: string, bodies: string, now: number, limit: number, offset: number): Promise<string[]>;
  notifAckPending(pending: string, bodies: string, ...ids: string[]): Promise<number>;
}

/**
 * Pending notifications in Redis: per user, capped, expiring. Every multi-step change is one
 * Lua script, so two service instances never see half an update. Failures come out as
 * ContractErrors (NOTIF_STORE_UNAVAILABLE while Redis is unreachable).
 */
export class NotificationStore {
  private readonly redis: ScriptedRedis;

  constructor(
    redis: Redis,
    private readonly limits: StoreLimits,
  ) {
    redis.defineCommand('notifStorePending', { numberOfKeys: 3, lua: STORE_PENDING_LUA });
    redis.defineCommand('notifReadPending', { numberOfKeys: 2, lua: READ_PENDING_LUA });
    redis.defineCommand('notifAckPending', { numberOfKeys: 2, lua: ACK_PENDING_LUA });
    this.redis = redis as ScriptedRedis;
  }

  /**
   * Stores `n` as pending. With `idempotencyScope`, a second call with the same scope for the
   * same user stores nothing and returns the first notification's id.
   */
  async add(n: Notification, idempotencyScope?: string): Promise<StoreResult> {
    const idem = idempotencyScope ?? '-';
    const reply = await this.run(() =>
      this.redis.notifStorePending(
        storeKeys.pending(n.user),
        storeKeys.bodies(n.user),
        storeKeys.idempotency(n.user, idem),
        n.id,
        JSON.stringify(n),
        Date.now(),
        this.limits.pendingTtlMs,
        this.limits.pendingMaxPerUser,
        this.limits.idempotencyTtlMs,
        idempotencyScope === undefined ? '0' : '1',
      ),
    );
    const [status, id, body, evicted] = reply;
    if (status === 'created') return { status, id, evicted: Number(evicted) };
    return { status, id, pending: body ? (JSON.parse(body) as Notification) : undefined };
  }

  /**
   * The user's pending notifications, oldest first: at most `limit`, and no more than fit in
   * `budgetBytes` of JSON (one NATS reply), skipping the `offset` oldest. `more` says others are
   * waiting behind them.
   */
  async pending(user: string, limit: number, budgetBytes: number, offset = 0): Promise<{ notifications: Notification[]; more: boolean }> {
    // One more than asked tells whether others are waiting.
    const bodies = await this.run(() => this.redis.notifReadPending(storeKeys.pending(user), storeKeys.bodies(user), Date.now(), limit + 1, offset));
    const notifications: Notification[] = [];
    let used = 0;
    for (const body of bodies.slice(0, limit)) {
      used += Buffer.byteLength(body) + 1;
      if (used > budgetBytes && notifications.length > 0) break;
      notifications.push(JSON.parse(body) as Notification);
    }
    return { notifications, more: bodies.length > notifications.length };
  }

  /** Removes acknowledged ids; returns how many were still pending. */
  async ack(user: string, ids: string[]): Promise<number> {
    return this.run(() => this.redis.notifAckPending(storeKeys.pending(user), storeKeys.bodies(user), ...ids));
  }

  private async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (err) {
      // Redis answering with an error is our defect; anything else means it is unreachable.
      if (err instanceof ReplyError) throw notifyError('NOTIF_STORE_FAILED', undefined, err);
      throw notifyError('NOTIF_STORE_UNAVAILABLE', undefined, err);
    }
  }
}
