import { PRELUDE_LUA } from './prelude';

/**
 * Lists gateways whose lease has run out, for the sweeper. If nobody swept for longer than a
 * lease, presence-service itself was down: gateways' heartbeats went unanswered through no fault
 * of theirs, so every lease gets one more term instead of every gateway being expired at once.
 *
 * KEYS/ARGV 1..5: see prelude.
 * ARGV[6]  how many gateways to list at most
 *
 * Returns {{graced 0|1}, gateway ids}.
 */
export const DUE_GATEWAYS_LUA = `${PRELUDE_LUA}
local limit = tonumber(ARGV[6])
local last = tonumber(redis.call('GET', P .. ':swept') or '0')
redis.call('SET', P .. ':swept', int(NOW))
if NOW - last > LEASE_MS then
  local renewed = NOW + LEASE_MS
  for _, gw in ipairs(redis.call('ZRANGEBYSCORE', K_LEASES, '-inf', int(renewed))) do
    redis.call('ZADD', K_LEASES, int(renewed), gw)
    redis.call('HSET', k_gw(gw), 'exp', int(renewed))
  end
  -- Reported only when there was a previous sweep: a fresh Redis has nothing to grace.
  if last > 0 then return {{1}, {}} end
  return {{0}, {}}
end
return {{0}, redis.call('ZRANGEBYSCORE', K_LEASES, '-inf', '(' .. int(NOW), 'LIMIT', 0, limit)}
`;
