import { ENSURE_EPOCH_LUA } from './ensure-epoch';

/**
 * A room's position for a join: its latest seq and its epoch, creating the epoch when the room
 * has none yet (see ensure-epoch), so the `joined` reply and the messages that follow agree.
 *
 * KEYS[1]  chat:{room}:seq     the room's latest seq
 * KEYS[2]  chat:{room}:log     the history (read only when the seq counter is gone)
 * KEYS[3]  chat:{room}:epoch   "<epoch>|<redis run id>"
 * ARGV[1]  epoch id to use if a new epoch starts (a fresh ULID)
 * ARGV[2]  the Redis server's run id as the caller saw it at connect ('' when unknown)
 *
 * Returns {seq, epoch}.
 */
export const ROOM_POSITION_LUA = `${ENSURE_EPOCH_LUA}
local epoch = ensure_epoch(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2])
return {tonumber(redis.call('GET', KEYS[1])), epoch}
`;

export const ROOM_POSITION_KEYS = 3;
