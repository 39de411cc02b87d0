import { SWEEP_EXPIRED } from './sweep-expired';

/**
 * Reads a user's pending notifications, oldest first, after sweeping the expired ones.
 *
 * KEYS[1] pending set   `notif:{<user>}:pending`  member = notification id, score = expiry (ms)
 * KEYS[2] bodies hash   `notif:{<user>}:body`     notification id -> notification JSON
 * ARGV[1] now (ms)
 * ARGV[2] how many at most
 * ARGV[3] how many of the oldest to skip
 *
 * Returns the notification JSON strings. An id without a body (which only a partial manual
 * edit could leave) is removed rather than returned as a hole.
 */
export const READ_PENDING_LUA = `
local pendingKey, bodiesKey = KEYS[1], KEYS[2]
local now, limit, offset = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
${SWEEP_EXPIRED}
local ids = redis.call('ZRANGE', pendingKey, offset, offset + limit - 1)
local out = {}
for _, id in ipairs(ids) do
  local body = redis.call('HGET', bodiesKey, id)
  if body then out[#out + 1] = body else redis.call('ZREM', pendingKey, id) end
end
return out
`;
