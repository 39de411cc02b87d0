import { PRELUDE_LUA } from './prelude';

/**
 * Stages one part of a gateway snapshot (a one-message snapshot is a set of one part). Nothing is
 * applied here: the run whose part completes the set marks it ready and answers 'complete', and
 * that caller then applies it slice by slice (apply-snapshot-slice), so no script ever touches a
 * whole large snapshot at once. Work per run is bounded by the part (one NATS message).
 * Parts may reach different instances in any order; a repeated part (a retried request) is not
 * staged twice; only one run can see the set complete, so it is applied exactly once.
 *
 * KEYS/ARGV 1..5: see prelude.
 * ARGV[6]  gateway id   ARGV[7]  incarnation   ARGV[8]  snapshot v
 * ARGV[9]  chunk id     ARGV[10] part index (0 <= index < count, checked by the caller)
 * ARGV[11] part count   ARGV[12] TTL of the set in ms, renewed by each part and each slice
 * ARGV[13] k: how many slices the caller cut this part into
 * ARGV[14 .. 13+k]      the slices: JSON arrays of {session, user, connectedAt, rooms[]}
 * ARGV[14+k ..]         the part's session ids (checked against the other parts': no duplicates)
 *
 * The set: P:snap:<gw>:<id> hash m -> "<incarnation>|<v>|<count>" (its identity: a part that
 * differs is refused), parts -> parts held, p<i> -> slices of part i, p<i>.<j> -> slice JSON,
 * then the apply cursor (see apply-snapshot-slice). P:snapids:<gw>:<id> hash session -> part.
 *
 * Returns {{'staged', parts held}, {}} | {{'complete'}, {}} | {{'repeat'}, {}}
 *       | {{'mismatch'}, {}} | {{'duplicate', session}, {}}.
 */
export const STAGE_SNAPSHOT_PART_LUA = `${PRELUDE_LUA}
local gw, idx, count, ttl = ARGV[6], ARGV[10], tonumber(ARGV[11]), ARGV[12]
local key = P .. ':snap:' .. gw .. ':' .. ARGV[9]
local ids_key = P .. ':snapids:' .. gw .. ':' .. ARGV[9]
local ident = ARGV[7] .. '|' .. ARGV[8] .. '|' .. ARGV[11]
local held_ident = redis.call('HGET', key, 'm')
if held_ident and held_ident ~= ident then return {{'mismatch'}, OUT} end
if redis.call('HEXISTS', key, 'p' .. idx) == 1 then return {{'repeat'}, OUT} end

local k = tonumber(ARGV[13])
-- Session ids in batches (two calls each, within Lua's unpack limit): one another part of the
-- set listed already is a duplicate. A part's own ids are unique (checked by the caller) and a
-- repeated part never gets here.
for from = 14 + k, #ARGV, 500 do
  local ids, fields = {}, {}
  for i = from, math.min(from + 499, #ARGV) do
    ids[#ids + 1] = ARGV[i]
    fields[#fields + 1] = ARGV[i]
    fields[#fields + 1] = idx
  end
  local prior = redis.call('HMGET', ids_key, unpack(ids))
  for i, p in ipairs(prior) do
    if p then
      redis.call('DEL', key, ids_key)
      return {{'duplicate', ids[i]}, OUT}
    end
  end
  redis.call('HSET', ids_key, unpack(fields))
end
redis.call('HSET', key, 'm', ident, 'p' .. idx, k)
for j = 1, k do redis.call('HSET', key, 'p' .. idx .. '.' .. (j - 1), ARGV[13 + j]) end
local held = redis.call('HINCRBY', key, 'parts', 1)
redis.call('PEXPIRE', key, ttl)
redis.call('PEXPIRE', ids_key, ttl)
if held < count then return {{'staged', held}, OUT} end
return {{'complete'}, OUT}
`;
