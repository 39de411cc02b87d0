/**
 * "Disconnect a user's sessions" (server API): every gateway listens to one control subject,
 * without a queue group, and closes its own connections of the named user with 4002. The
 * publisher need not know where the user is connected; a gateway without that user ignores it.
 * Disconnects are rare, so one subscription per gateway costs less than one per user.
 */
import { CLOSE_CODES, GatewayDisconnectUser } from '@relay/contracts';
import type { Bus, Subscription } from '@relay/bus';
import type { Logger } from '@relay/service-kit';
import type { RoomRegistry } from './room-registry';

export interface UserDisconnectDeps {
  bus: Bus;
  registry: Pick<RoomRegistry, 'connectionsOf'>;
  logger: Logger;
}

export function listenForUserDisconnects({ bus, registry, logger }: UserDisconnectDeps): Subscription {
  return bus.subscribe(GatewayDisconnectUser, {}, ({ user, reason }, meta) => {
    const conns = registry.connectionsOf(user);
    if (!conns || conns.size === 0) return;
    const count = conns.size;
    // A copy: each close removes the connection from the registry.
    for (const conn of [...conns]) conn.close(CLOSE_CODES.DISCONNECTED_BY_SERVER, reason);
    logger.info({ user, connections: count, correlationId: meta.correlationId }, 'user disconnected by a backend');
  });
}
