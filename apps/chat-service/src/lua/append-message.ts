import { ENSURE_EPOCH_LUA } from './ensure-epoch';

/**
 * Appends one message to a room, atomically: idempotency check, seq assignment, capped
 * history append, idempotency record. Two chat-service instances storing into one room
 * cannot interleave inside it, so seqs are contiguous with no gap and no duplicate.
 *
 * KEYS[1]  chat:{room}:seq                          INCR counter, the room's latest seq
 * KEYS[2]  chat:{room}:log                          sorted set: message JSON scored by seq
 * KEYS[3]  chat:{room}:cmid:<user>:<clientMsgId>    "id|seq|ts" of the stored send (unused when ARGV[6] = 0)
 * KEYS[4]  chat:{room}:epoch                        "<epoch>|<redis run id>" (see ensure-epoch)
 * ARGV[1]  message JSON without its seq, ending in `"seq":` (the script appends seq, epoch and `}`)
 * ARGV[2]  message id (ULID)
 * ARGV[3]  ts, server time in ms
 * ARGV[4]  history cap: messages kept per room
 * ARGV[5]  clientMsgId TTL in seconds
 * ARGV[6]  1 when the send carries a clientMsgId, else 0
 * ARGV[7]  the Redis server's run id as the caller saw it at connect ('' when unknown)
 *
 * Returns {duplicate (0|1), "id|seq|ts", epoch}: for a duplicate, the record of the first send
 * and an empty epoch. A new epoch's id is the message id (a fresh ULID).
 *
 * The JSON is built by the caller (one JSON.stringify, no cjson number-precision surprises)
 * and only completed here, because the seq is known only inside the script.
 */
export const APPEND_MESSAGE_LUA = `${ENSURE_EPOCH_LUA}
if ARGV[6] == '1' then
  local prior = redis.call('GET', KEYS[3])
  if prior then
    return {1, prior, ''}
  end
end
local epoch = ensure_epoch(KEYS[1], KEYS[2], KEYS[4], ARGV[2], ARGV[7])
local seq = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], seq, ARGV[1] .. seq .. ',"epoch":"' .. epoch .. '"}')
local cap = tonumber(ARGV[4])
-- Keep the newest cap entries: drop ranks 0 .. -(cap + 1), the oldest ones.
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(cap + 1))
local record = ARGV[2] .. '|' .. seq .. '|' .. ARGV[3]
if ARGV[6] == '1' then
  redis.call('SET', KEYS[3], record, 'EX', tonumber(ARGV[5]))
end
return {0, record, epoch}
`;

export const APPEND_MESSAGE_KEYS = 4;
