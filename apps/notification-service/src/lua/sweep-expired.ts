/**
 * A Lua fragment shared by the scripts that touch a user's pending set: drops the entries
 * whose expiry (their score) has passed, from the set and from the bodies hash. HDEL goes in
 * chunks so no call unpacks more values than Lua's stack takes.
 * Expects `pendingKey`, `bodiesKey` and `now` (ms) to be defined by the including script.
 */
export const SWEEP_EXPIRED = `
local function hdelAll(key, ids)
  for i = 1, #ids, 500 do
    redis.call('HDEL', key, unpack(ids, i, math.min(i + 499, #ids)))
  end
end
local expired = redis.call('ZRANGEBYSCORE', pendingKey, '-inf', now)
if #expired > 0 then
  redis.call('ZREMRANGEBYSCORE', pendingKey, '-inf', now)
  hdelAll(bodiesKey, expired)
end
`;
