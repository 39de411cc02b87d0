/**
 * The room epoch rule, shared by every script that reads or writes a room's position, so
 * "when does a room start a new generation" is written exactly once.
 *
 * A room's seqs only mean something within one store generation (epoch). A new epoch starts
 *  - when the room has no seq counter: a new room, or a store that lost it (Redis restarted
 *    without persistence, FLUSHALL, a restore without this room). The counter restarts from the
 *    newest message still in the history, 0 when that is gone too;
 *  - when Redis restarted since the room was last touched (its run id changed): a crash may have
 *    taken the last acknowledged writes with it (AOF fsyncs once a second), and their seqs would
 *    be handed out again to different messages;
 *  - once for a room stored before epochs existed (nothing starts over then).
 * Epoch ids are ULIDs made by the caller, so a later epoch sorts after an earlier one.
 *
 * Key value: chat:{room}:epoch = "<epoch>|<redis run id at the last write>".
 */
export const ENSURE_EPOCH_LUA = `
local function ensure_epoch(seq_key, log_key, epoch_key, candidate, boot)
  local stored = redis.call('GET', epoch_key)
  local epoch, stored_boot
  if stored then
    epoch, stored_boot = string.match(stored, '^([^|]*)|(.*)$')
  end
  if redis.call('EXISTS', seq_key) == 0 then
    local top = redis.call('ZRANGE', log_key, -1, -1, 'WITHSCORES')
    redis.call('SET', seq_key, top[2] or 0)
    epoch = candidate
  elseif not epoch then
    epoch = candidate
  elseif boot ~= '' and stored_boot ~= boot then
    epoch = candidate
  else
    return epoch
  end
  redis.call('SET', epoch_key, epoch .. '|' .. boot)
  return epoch
end
`;
