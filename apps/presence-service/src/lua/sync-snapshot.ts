import { PRELUDE_LUA } from './prelude';

/**
 * apply_snapshot(gw, inc, sv, snap): replaces what presence-service holds for a gateway by the
 * gateway's snapshot taken at sv, emitting exactly the transitions the difference implies
 * (reason `resync`). A record changed by an update newer than the snapshot (v above sv) is kept
 * as it is: the snapshot is the truth only up to its own v. A closed session stays closed
 * (closed is final). `snap` is the decoded array of {session, user, connectedAt, rooms[]}.
 * Returns {admitted: cur|new|stale, sessions, memberships (ours, after)}.
 *
 * Shared by the whole-snapshot script below and by stage-snapshot-part (a chunked snapshot,
 * applied by the script run that receives its last part), so both apply it identically.
 */
export const APPLY_SNAPSHOT_LUA = `
local function apply_snapshot(gw, inc, sv, snap)
  local admitted = gateway_admit(gw, inc, true)
  if admitted == 'stale' then return {admitted, 0, 0} end
  bump_maxv(gw, sv)

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
  return {admitted, redis.call('SCARD', k_gws(gw)), tonumber(redis.call('HGET', k_gw(gw), 'mem') or '0')}
end
`;

/**
 * Applies a whole snapshot (one message) with apply_snapshot.
 *
 * KEYS/ARGV 1..5: see prelude.
 * ARGV[6]  gateway id   ARGV[7]  incarnation   ARGV[8]  snapshot v
 * ARGV[9]  JSON array of {session, user, connectedAt, rooms[]} (validated by the caller)
 *
 * Returns {{admitted: cur|new|stale, sessions, memberships (ours, after)}, transitions}.
 */
export const SYNC_SNAPSHOT_LUA = `${PRELUDE_LUA}
${APPLY_SNAPSHOT_LUA}
return {apply_snapshot(ARGV[6], ARGV[7], tonumber(ARGV[8]), cjson.decode(ARGV[9])), OUT}
`;
