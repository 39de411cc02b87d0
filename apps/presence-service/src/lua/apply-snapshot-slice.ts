import { PRELUDE_LUA } from './prelude';

/**
 * Applies one bounded slice of a staged, complete gateway snapshot (stage-snapshot-part): the
 * caller runs it until it answers 'applied'. Each run does one unit of work (one slice of at most
 * a few hundred listed sessions, or one SSCAN batch of the gateway's sessions), so no Lua call
 * blocks Redis for long however large the gateway is. Every transition is made and put in the
 * outbox in the same run that changes the state, so each happens exactly once.
 *
 * The snapshot is the truth up to its v (sv): a record changed by an update newer than sv is kept;
 * a closed session stays closed. Updates and heartbeats that land between two slices see a
 * half-applied snapshot; each session's own record decides, so the order does not matter, and the
 * heartbeat does not take the counts of a snapshot being applied for a lost update (field `apl`).
 * Phases: start (admit the incarnation) -> l (listed sessions, slice by slice: open, fix rooms)
 * -> s (sweep: end the gateway's sessions the snapshot does not list, v <= sv) -> done.
 *
 * KEYS/ARGV 1..5: see prelude.
 * ARGV[6]  gateway id   ARGV[7]  chunk id   ARGV[8]  TTL of the set in ms (renewed)
 * ARGV[9]  sessions per sweep batch
 *
 * Returns {{'more'}, transitions} | {{'applied', admitted, sessions, memberships}, transitions}
 *       | {{'gone'}, {}} (no such set: expired, or never complete).
 */
export const APPLY_SNAPSHOT_SLICE_LUA = `${PRELUDE_LUA}
local gw, ttl, batch = ARGV[6], ARGV[8], tonumber(ARGV[9])
local key = P .. ':snap:' .. gw .. ':' .. ARGV[7]
local ids_key = P .. ':snapids:' .. gw .. ':' .. ARGV[7]
local st = redis.call('HMGET', key, 'm', 'ph', 'pi', 'pj', 'sc', 'ad')
if not st[1] then return {{'gone'}, OUT} end
local inc, sv_s, count_s = string.match(st[1], '^(.*)|(%d+)|(%d+)$')
local sv, count = tonumber(sv_s), tonumber(count_s)

local function finish(admitted)
  redis.call('DEL', key, ids_key)
  redis.call('HDEL', k_gw(gw), 'apl')
  if admitted == 'stale' then return {{'applied', 'stale', 0, 0}, OUT} end
  return {{'applied', admitted, redis.call('SCARD', k_gws(gw)), tonumber(redis.call('HGET', k_gw(gw), 'mem') or '0')}, OUT}
end

-- One listed session: opened if presence does not hold it, its rooms made to match.
local function apply_listed(s)
  local sid = s.session
  local cur = redis.call('HMGET', k_sess(gw, sid), 'inc', 'st', 'user')
  local known = cur[1] == inc
  if known and cur[2] == 'c' then return end
  local user = s.user
  if known then user = cur[3] else session_open(gw, inc, sid, user, sv, s.connectedAt, 'resync') end
  local want = {}
  for _, room in ipairs(s.rooms) do want[room] = true end
  local have = redis.call('HGETALL', k_rooms(gw, sid))
  local seen = {}
  for i = 1, #have, 2 do
    local room, rv = have[i], tonumber(have[i + 1])
    seen[room] = true
    if math.abs(rv) <= sv then
      if want[room] and rv <= 0 then member_set(gw, sid, user, room, sv)
      elseif not want[room] and rv > 0 then member_set(gw, sid, user, room, -sv) end
    end
  end
  for room in pairs(want) do
    if not seen[room] then member_set(gw, sid, user, room, sv) end
  end
end

local phase, admitted = st[2], st[6]
if not phase then
  admitted = gateway_admit(gw, inc, true)
  if admitted == 'stale' then return finish('stale') end
  bump_maxv(gw, sv)
  phase = 'l'
  redis.call('HSET', key, 'ph', 'l', 'pi', 0, 'pj', 0, 'ad', admitted)
elseif redis.call('HGET', k_gw(gw), 'inc') ~= inc then
  -- The gateway moved on to a new incarnation (or expired) while this was being applied.
  return finish('stale')
end
redis.call('HSET', k_gw(gw), 'apl', int(NOW))
redis.call('PEXPIRE', key, ttl)
redis.call('PEXPIRE', ids_key, ttl)

if phase == 'l' then
  local pi, pj = tonumber(st[3] or '0'), tonumber(st[4] or '0')
  -- Skip empty parts; then apply one slice.
  while pi < count and pj >= tonumber(redis.call('HGET', key, 'p' .. pi) or '0') do pi, pj = pi + 1, 0 end
  if pi < count then
    for _, s in ipairs(cjson.decode(redis.call('HGET', key, 'p' .. pi .. '.' .. pj))) do apply_listed(s) end
    redis.call('HDEL', key, 'p' .. pi .. '.' .. pj)
    redis.call('HSET', key, 'pi', pi, 'pj', pj + 1)
    return {{'more'}, OUT}
  end
  redis.call('HSET', key, 'ph', 's', 'sc', '0')
  st[5] = '0'
end

local res = redis.call('SSCAN', k_gws(gw), st[5] or '0', 'COUNT', batch)
for _, sid in ipairs(res[2]) do
  if redis.call('HEXISTS', ids_key, sid) == 0 and tonumber(redis.call('HGET', k_sess(gw, sid), 'v') or '0') <= sv then
    session_end(gw, sid, sv, 'resync')
  end
end
if res[1] ~= '0' then
  redis.call('HSET', key, 'sc', res[1])
  return {{'more'}, OUT}
end
return finish(admitted)
`;
