import { SWEEP_EXPIRED } from './sweep-expired';

/**
 * Stores one notification as pending for its user, atomically with its idempotency key, the
 * per-user cap and the TTL.
 *
 * KEYS[1] pending set   `notif:{<user>}:pending`  member = notification id, score = expiry (ms)
 * KEYS[2] bodies hash   `notif:{<user>}:body`     notification id -> notification JSON
 * KEYS[3] idempotency   `notif:{<user>}:idem:<scope>` -> notification id (unused unless ARGV[7] is '1')
 * ARGV[1] notification id
 * ARGV[2] notification JSON
 * ARGV[3] now (ms)
 * ARGV[4] pending TTL (ms)
 * ARGV[5] pending cap per user
 * ARGV[6] idempotency TTL (ms)
 * ARGV[7] '1' when KEYS[3] is a real idempotency key, '0' otherwise
 *
 * Returns { 'created', id, '', evicted } or, when the idempotency key was seen,
 * { 'duplicate', first id, its JSON or '' when no longer pending, 0 }.
 */
export const STORE_PENDING_LUA = `
local pendingKey, bodiesKey, idemKey = KEYS[1], KEYS[2], KEYS[3]
local id, body = ARGV[1], ARGV[2]
local now, ttl, cap, idemTtl = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local useIdem = ARGV[7] == '1'

if useIdem then
  local first = redis.call('GET', idemKey)
  if first then
    return { 'duplicate', first, redis.call('HGET', bodiesKey, first) or '', 0 }
  end
end
${SWEEP_EXPIRED}
redis.call('ZADD', pendingKey, now + ttl, id)
redis.call('HSET', bodiesKey, id, body)

local evicted = 0
local over = redis.call('ZCARD', pendingKey) - cap
if over > 0 then
  local popped = redis.call('ZPOPMIN', pendingKey, over)
  local ids = {}
  for i = 1, #popped, 2 do ids[#ids + 1] = popped[i] end
  hdelAll(bodiesKey, ids)
  evicted = #ids
end

redis.call('PEXPIRE', pendingKey, ttl)
redis.call('PEXPIRE', bodiesKey, ttl)
if useIdem then redis.call('SET', idemKey, id, 'PX', idemTtl) end
return { 'created', id, '', evicted }
`;
