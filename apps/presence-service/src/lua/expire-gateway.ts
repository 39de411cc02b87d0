import { PRELUDE_LUA } from './prelude';

/**
 * Expires one gateway whose lease ran out: all its sessions go, with leave and offline
 * (`gateway-expired`) events, and its incarnation is retired. The lease is re-checked inside the
 * script, which is the atomic claim: when two instances sweep the same gateway, the first removes
 * the lease and the second finds nothing to do; a heartbeat that renewed it in between wins.
 *
 * KEYS/ARGV 1..5: see prelude.
 * ARGV[6]  gateway id
 *
 * Returns {{expired 0|1, sessions removed}, transitions}.
 */
export const EXPIRE_GATEWAY_LUA = `${PRELUDE_LUA}
local gw = ARGV[6]
local exp = redis.call('ZSCORE', K_LEASES, gw)
if not exp or tonumber(exp) >= NOW then return {{0, 0}, OUT} end
local removed = gateway_wipe(gw, 'gateway-expired')
return {{1, removed}, OUT}
`;
