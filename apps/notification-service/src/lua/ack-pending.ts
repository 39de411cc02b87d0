/**
 * Removes acknowledged notifications from a user's pending set and bodies.
 *
 * KEYS[1] pending set   `notif:{<user>}:pending`
 * KEYS[2] bodies hash   `notif:{<user>}:body`
 * ARGV[1..n] notification ids (at most 1000: the contract's limit keeps unpack safe)
 *
 * Returns how many were pending (unknown or already removed ids count 0: acks are idempotent).
 */
export const ACK_PENDING_LUA = `
local removed = redis.call('ZREM', KEYS[1], unpack(ARGV))
redis.call('HDEL', KEYS[2], unpack(ARGV))
return removed
`;
