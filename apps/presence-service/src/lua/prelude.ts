/**
 * Shared head of every presence script: the argument layout all scripts share, key names and
 * the functions that make a transition. Each script module is this prelude plus its own body,
 * so the rules for "first session joins" / "last session leaves" exist exactly once.
 *
 * KEYS[1]  <prefix>:outbox   any key of the presence slot; declared so Redis Cluster routes the
 *                            script to the shard that owns the hash tag. Every other key is built
 *                            from the prefix and carries the same hash tag, so it is in that slot.
 * ARGV[1]  key prefix, a hash tag such as {presence}
 * ARGV[2]  correlation id, stored with every event the script makes
 * ARGV[3]  tombstone TTL in ms (closed sessions, retired incarnations)
 * ARGV[4]  outbox cap (approximate MAXLEN): memory stays bounded even if NATS is down for long
 * ARGV[5]  gateway lease in ms
 * ARGV[6..] script-specific, see each script
 *
 * Keys (P = prefix):
 *   P:gw:<gw>          hash  inc (incarnation), exp (lease deadline ms), maxv (highest v applied),
 *                            mem (live memberships), susp (1 = counts differed on the last heartbeat)
 *   P:gws:<gw>         set   live session ids of the gateway
 *   P:gwr:<gw>         set   retired incarnations (their late updates are ignored), TTL = tombstone TTL
 *   P:leases           zset  gateway -> lease deadline ms (what the sweeper scans)
 *   P:s:<gw>:<sid>     hash  inc, user, st (o open | c closed), v (lowest v seen while open, close v
 *                            once closed), at (connected at); a closed one is a tombstone with a TTL
 *   P:sr:<gw>:<sid>    hash  room -> signed v: > 0 joined at v, < 0 left at v (highest |v| wins)
 *   P:u:<user>         set   "<gw>:<sid>" of the user's live sessions
 *   P:rm:<room>        hash  user -> number of the user's live sessions joined to the room
 *   P:online           set   users with at least one live session
 *   P:stats            hash  sessions -> live sessions in total
 *   P:outbox           stream events made by scripts, deleted once published (at-least-once)
 *   P:swept            string time of the last sweep (detects that presence itself was down)
 *   P:snap:<gw>:<id>   hash  staged parts of a chunked snapshot (stage-snapshot-part), with a TTL
 *
 * Time is Redis's own (TIME), so instances with skewed clocks agree on every lease.
 */
export const PRELUDE_LUA = `
local P = ARGV[1]
local CID = ARGV[2]
local TOMB_MS = tonumber(ARGV[3])
local OUTBOX_MAX = tonumber(ARGV[4])
local LEASE_MS = tonumber(ARGV[5])
local T = redis.call('TIME')
local NOW = tonumber(T[1]) * 1000 + math.floor(tonumber(T[2]) / 1000)
local OUT = {}

local function int(x) return string.format('%d', x) end
local function k_gw(gw) return P .. ':gw:' .. gw end
local function k_gws(gw) return P .. ':gws:' .. gw end
local function k_retired(gw) return P .. ':gwr:' .. gw end
local function k_sess(gw, sid) return P .. ':s:' .. gw .. ':' .. sid end
local function k_rooms(gw, sid) return P .. ':sr:' .. gw .. ':' .. sid end
local function k_user(user) return P .. ':u:' .. user end
local function k_room(room) return P .. ':rm:' .. room end
local K_LEASES = P .. ':leases'
local K_ONLINE = P .. ':online'
local K_STATS = P .. ':stats'
local K_OUTBOX = P .. ':outbox'

-- Records a transition in the outbox (same transaction as the state change) and returns it to
-- the caller, who publishes it at once; the stream id becomes the event's dedup id.
local function emit(kind, user, room, why)
  local id = redis.call('XADD', K_OUTBOX, 'MAXLEN', '~', OUTBOX_MAX, '*',
    'e', kind, 'u', user, 'r', room, 'why', why, 'at', int(NOW), 'c', CID)
  OUT[#OUT + 1] = {id, kind, user, room, why, int(NOW), CID}
end

local function room_enter(room, user)
  if redis.call('HINCRBY', k_room(room), user, 1) == 1 then emit('join', user, room, '') end
end

local function room_exit(room, user)
  local n = redis.call('HINCRBY', k_room(room), user, -1)
  if n <= 0 then
    redis.call('HDEL', k_room(room), user)
    if n == 0 then emit('leave', user, room, '') end
  end
end

local function user_enter(user, ref, why)
  if redis.call('SADD', k_user(user), ref) == 1 and redis.call('SCARD', k_user(user)) == 1 then
    redis.call('SADD', K_ONLINE, user)
    emit('online', user, '', why)
  end
end

local function user_exit(user, ref, why)
  if redis.call('SREM', k_user(user), ref) == 1 and redis.call('SCARD', k_user(user)) == 0 then
    redis.call('SREM', K_ONLINE, user)
    emit('offline', user, '', why)
  end
end

-- A new live session. The caller made sure no live record of this incarnation exists; a record
-- of an older incarnation is a tombstone and is replaced.
local function session_open(gw, inc, sid, user, v, at, why)
  local sk = k_sess(gw, sid)
  redis.call('DEL', sk, k_rooms(gw, sid))
  redis.call('HSET', sk, 'inc', inc, 'user', user, 'st', 'o', 'v', int(v), 'at', int(at))
  redis.call('SADD', k_gws(gw), sid)
  redis.call('HINCRBY', K_STATS, 'sessions', 1)
  user_enter(user, gw .. ':' .. sid, why)
end

-- Sets one membership of a live session to signed v and makes the room transition it implies.
local function member_set(gw, sid, user, room, v)
  local rk = k_rooms(gw, sid)
  local cur = tonumber(redis.call('HGET', rk, room) or '0')
  redis.call('HSET', rk, room, int(v))
  if v > 0 and cur <= 0 then
    redis.call('HINCRBY', k_gw(gw), 'mem', 1)
    room_enter(room, user)
  elseif v < 0 and cur > 0 then
    redis.call('HINCRBY', k_gw(gw), 'mem', -1)
    room_exit(room, user)
  end
end

-- Ends a live session: it leaves its rooms and stops counting for its user. With tomb_v the
-- record stays as a closed tombstone for TOMB_MS (late updates then change nothing); without,
-- it is deleted (its incarnation is retired, which guards against late updates instead).
local function session_end(gw, sid, tomb_v, why)
  local sk, rk = k_sess(gw, sid), k_rooms(gw, sid)
  local user = redis.call('HGET', sk, 'user')
  local rooms = redis.call('HGETALL', rk)
  for i = 1, #rooms, 2 do
    if tonumber(rooms[i + 1]) > 0 then
      redis.call('HINCRBY', k_gw(gw), 'mem', -1)
      room_exit(rooms[i], user)
    end
  end
  redis.call('DEL', rk)
  if tomb_v then
    redis.call('HSET', sk, 'st', 'c', 'v', int(tomb_v))
    redis.call('PEXPIRE', sk, TOMB_MS)
  else
    redis.call('DEL', sk)
  end
  redis.call('SREM', k_gws(gw), sid)
  redis.call('HINCRBY', K_STATS, 'sessions', -1)
  if user then user_exit(user, gw .. ':' .. sid, why) end
end

local function gateway_register(gw, inc)
  local exp = NOW + LEASE_MS
  redis.call('DEL', k_gw(gw), k_gws(gw))
  redis.call('HSET', k_gw(gw), 'inc', inc, 'exp', int(exp), 'maxv', '0', 'mem', '0')
  redis.call('ZADD', K_LEASES, int(exp), gw)
end

-- Removes every live session of the gateway (leave and offline events) and retires its
-- incarnation, so updates from it that are still in flight cannot bring sessions back.
local function gateway_wipe(gw, why)
  local inc = redis.call('HGET', k_gw(gw), 'inc')
  local sids = redis.call('SMEMBERS', k_gws(gw))
  for _, sid in ipairs(sids) do session_end(gw, sid, nil, why) end
  redis.call('DEL', k_gw(gw), k_gws(gw))
  redis.call('ZREM', K_LEASES, gw)
  if inc then
    redis.call('SADD', k_retired(gw), inc)
    redis.call('PEXPIRE', k_retired(gw), TOMB_MS)
  end
  return #sids
end

-- Decides whether a message from (gw, inc) counts: 'cur' the known incarnation; 'new' a gateway
-- registered just now (unknown before, or a new incarnation that replaced the old one and wiped
-- its sessions); 'stale' a retired incarnation (ignored). A retired incarnation is revived only
-- by a heartbeat or snapshot (proof it is alive) and only while no other incarnation holds the id.
local function gateway_admit(gw, inc, revive)
  local cur = redis.call('HGET', k_gw(gw), 'inc')
  if cur == inc then return 'cur' end
  if redis.call('SISMEMBER', k_retired(gw), inc) == 1 then
    if cur or not revive then return 'stale' end
    redis.call('SREM', k_retired(gw), inc)
  end
  if cur then gateway_wipe(gw, 'gateway-expired') end
  gateway_register(gw, inc)
  return 'new'
end

local function bump_maxv(gw, v)
  if v > tonumber(redis.call('HGET', k_gw(gw), 'maxv') or '0') then
    redis.call('HSET', k_gw(gw), 'maxv', int(v))
  end
end
`;
