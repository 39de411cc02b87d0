import { PRELUDE_LUA } from './prelude';

/**
 * Replaces what presence-service holds for a gateway by the gateway's snapshot taken at v,
 * emitting exactly the transitions the difference implies (reason `resync`). A record changed
 * by an update newer than the snapshot (v above snapshot v) is kept as it is: the snapshot is
 * the truth only up to its own v. A closed session stays closed (closed is final).
 *
 * KEYS/ARGV 1..5: see prelude.
 * ARGV[6]  gateway id   ARGV[7]  incarnation   ARGV[8]  snapshot v
 * ARGV[9]  JSON array of {session, user, connectedAt, rooms[]} (validated by the caller)
 *
 * Returns {{admitted: cur|new|stale, sessions, memberships (ours, after)}, transitions}.
 */
export const SYNC_SNAPSHOT_LUA = `${PRELUDE_LUA}
local gw, inc, sv = ARGV[6], ARGV[7], tonumber(ARGV[8])
local admitted = gateway_admit(gw, inc, true)
if admitted == 'stale' then return {{admitted, 0, 0}, OUT} end
bump_maxv(gw, sv)

local snap = cjson.decode(ARGV[9])
local listed = {}
for _, s in ipairs(snap) do listed[s.session] = true end

for _, sid in ipairs(redis.call('SMEMBERS', k_gws(gw))) do
  if not listed[sid] and tonumber(redis.call('HGET', k_sess(gw, sid), 'v')) <= sv then
    session_end(gw, sid, sv, 'resync')
  end
end

for _, s in ipairs(snap) do
  local sid = s.session
  local cur = redis.call('HMGET', k_sess(gw, sid), 'inc', 'st', 'user')
  local known = cur[1] == inc
  if not (known and cur[2] == 'c') then
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
end
return {{admitted, redis.call('SCARD', k_gws(gw)), tonumber(redis.call('HGET', k_gw(gw), 'mem') or '0')}, OUT}
`;
