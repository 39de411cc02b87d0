import { PRELUDE_LUA } from './prelude';

/**
 * Applies one PresenceSessionUpdate, idempotently and in any order: per membership the highest
 * v wins (a leave v=6 that arrives before the join v=5 keeps the user out); a closed session is
 * final (a later-arriving open or join of it changes nothing) and stays as a tombstone.
 * Any op but close on an unknown session opens it (the open may simply be late).
 *
 * KEYS/ARGV 1..5: see prelude.
 * ARGV[6]  gateway id        ARGV[7]  incarnation    ARGV[8]  v
 * ARGV[9]  session id        ARGV[10] user           ARGV[11] op: open | close | join | leave
 * ARGV[12] room ('' for open/close)                  ARGV[13] at (ms, the gateway's clock)
 *
 * Returns {{applied 0|1, admitted: cur|new|stale}, transitions}.
 */
export const APPLY_UPDATE_LUA = `${PRELUDE_LUA}
local gw, inc, v, sid, user, op, room, at =
  ARGV[6], ARGV[7], tonumber(ARGV[8]), ARGV[9], ARGV[10], ARGV[11], ARGV[12], tonumber(ARGV[13])
local admitted = gateway_admit(gw, inc, false)
if admitted == 'stale' then return {{0, admitted}, OUT} end
bump_maxv(gw, v)

local sk = k_sess(gw, sid)
local s = redis.call('HMGET', sk, 'inc', 'st', 'v', 'user')
local known = s[1] == inc
if known and s[2] == 'c' then return {{0, admitted}, OUT} end

if op == 'close' then
  if known then
    session_end(gw, sid, v, 'disconnect')
  else
    -- The close overtook the open: leave a tombstone so the late open is ignored.
    redis.call('DEL', sk, k_rooms(gw, sid))
    redis.call('HSET', sk, 'inc', inc, 'user', user, 'st', 'c', 'v', int(v))
    redis.call('PEXPIRE', sk, TOMB_MS)
  end
  return {{1, admitted}, OUT}
end

local applied = 0
if not known then
  session_open(gw, inc, sid, user, v, at, 'connect')
  applied = 1
else
  user = s[4]
  if v < tonumber(s[3]) then redis.call('HSET', sk, 'v', int(v)) end
  if op == 'open' then redis.call('HSET', sk, 'at', int(at)) end
end

if op == 'join' or op == 'leave' then
  local cur = tonumber(redis.call('HGET', k_rooms(gw, sid), room) or '0')
  if math.abs(cur) < v then
    if op == 'join' then member_set(gw, sid, user, room, v) else member_set(gw, sid, user, room, -v) end
    applied = 1
  end
end
return {{applied, admitted}, OUT}
`;
