import { PRELUDE_LUA } from './prelude';

/**
 * Renews a gateway's lease and decides whether presence-service needs the gateway's snapshot:
 * when the gateway was unknown (first contact, Redis lost its state, or a new incarnation that
 * just replaced and wiped the old one), when its lease had already run out, or when its counts
 * differ from ours. Counts that differ while the heartbeat's v is ahead of the highest v applied
 * may be updates still in flight, so that needs a second heartbeat in a row to count. Counts
 * that differ while a snapshot of the gateway is being applied in slices (`apl`, renewed by each
 * slice) are the half-applied snapshot, not a lost update: they do not count.
 *
 * KEYS/ARGV 1..5: see prelude.
 * ARGV[6]  gateway id   ARGV[7]  incarnation   ARGV[8]  v (the gateway's latest)
 * ARGV[9]  sessions     ARGV[10] memberships   (what the gateway holds)
 *
 * Returns {{resync 0|1, cause, sessions, memberships (ours)}, transitions}; cause is
 * '' | unknown | expired | counts | stale.
 */
export const HEARTBEAT_LUA = `${PRELUDE_LUA}
local gw, inc, hv, hs, hm = ARGV[6], ARGV[7], tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
local admitted = gateway_admit(gw, inc, true)
if admitted == 'stale' then return {{0, 'stale', 0, 0}, OUT} end

local resync, cause = 0, ''
if admitted == 'new' then resync, cause = 1, 'unknown' end
local g = redis.call('HMGET', k_gw(gw), 'exp', 'maxv', 'mem', 'susp', 'apl')
if tonumber(g[1]) < NOW then
  -- Expired but not swept yet: nobody was told the users left, so renewing causes no flapping;
  -- the snapshot repairs whatever was missed meanwhile.
  resync, cause = 1, 'expired'
end
local exp = NOW + LEASE_MS
redis.call('HSET', k_gw(gw), 'exp', int(exp))
redis.call('ZADD', K_LEASES, int(exp), gw)

local sessions = redis.call('SCARD', k_gws(gw))
local mem = tonumber(g[3] or '0')
local applying = g[5] and NOW - tonumber(g[5]) < LEASE_MS
if (sessions ~= hs or mem ~= hm) and applying then
  redis.call('HDEL', k_gw(gw), 'susp')
elseif sessions ~= hs or mem ~= hm then
  if hv <= tonumber(g[2] or '0') or g[4] == '1' then
    if resync == 0 then resync, cause = 1, 'counts' end
    redis.call('HDEL', k_gw(gw), 'susp')
  else
    redis.call('HSET', k_gw(gw), 'susp', '1')
  end
else
  redis.call('HDEL', k_gw(gw), 'susp')
end
return {{resync, cause, sessions, mem}, OUT}
`;
