import { PRELUDE_LUA } from './prelude';
import { APPLY_SNAPSHOT_LUA } from './sync-snapshot';

/**
 * Stages one part of a chunked gateway snapshot; the run that receives the part completing
 * the set also applies the whole snapshot (apply_snapshot, exactly as a one-message snapshot)
 * and deletes the set, all in one atomic step. Parts may reach different instances in any
 * order: whichever run completes the set, only that one applies it, and a set is never taken
 * without being applied. A set that stops receiving parts expires with its key.
 *
 * KEYS/ARGV 1..5: see prelude.
 * ARGV[6]  gateway id   ARGV[7]  incarnation   ARGV[8]  snapshot v
 * ARGV[9]  JSON array of this part's sessions (validated by the caller)
 * ARGV[10] chunk id     ARGV[11] part index (0 <= index < count, checked by the caller)
 * ARGV[12] part count   ARGV[13] TTL of the set in ms, renewed by each part
 *
 * The set: P:snap:<gw>:<chunk id>, hash m -> "<incarnation>|<v>|<count>" (its identity: a part
 * that differs is refused), p<index> -> the part's JSON.
 *
 * Returns {{'staged', parts held}, {}} | {{'mismatch'}, {}} | {{'duplicate', session}, {}}
 *       | {{'applied', admitted, sessions, memberships}, transitions}.
 */
export const STAGE_SNAPSHOT_PART_LUA = `${PRELUDE_LUA}
${APPLY_SNAPSHOT_LUA}
local gw, inc, sv = ARGV[6], ARGV[7], tonumber(ARGV[8])
local count = tonumber(ARGV[12])
local key = P .. ':snap:' .. gw .. ':' .. ARGV[10]
local ident = inc .. '|' .. ARGV[8] .. '|' .. ARGV[12]
local held_ident = redis.call('HGET', key, 'm')
if held_ident and held_ident ~= ident then return {{'mismatch'}, OUT} end
redis.call('HSET', key, 'm', ident, 'p' .. ARGV[11], ARGV[9])
local held = redis.call('HLEN', key) - 1
if held < count then
  redis.call('PEXPIRE', key, ARGV[13])
  return {{'staged', held}, OUT}
end

local snap, ids = {}, {}
for i = 0, count - 1 do
  for _, s in ipairs(cjson.decode(redis.call('HGET', key, 'p' .. i))) do
    if ids[s.session] then
      redis.call('DEL', key)
      return {{'duplicate', s.session}, OUT}
    end
    ids[s.session] = true
    snap[#snap + 1] = s
  end
end
redis.call('DEL', key)
local r = apply_snapshot(gw, inc, sv, snap)
return {{'applied', r[1], r[2], r[3]}, OUT}
`;
