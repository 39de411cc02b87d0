/**
 * Control events addressed to every ws-gateway. A backend (through the api) asks for something
 * only the gateways holding a user's sockets can do; every gateway receives the event and acts
 * on its own connections, so the sender need not know where the user is connected.
 */
import { Type, type Static } from '@sinclair/typebox';
import { UserId } from '../names';

/** Close every live connection of `user`, on every gateway, with close code 4002. */
export const DisconnectUser = Type.Object({
  user: UserId,
  /** Sent to the client as the close reason: short (a WebSocket close reason is at most 123 bytes). */
  reason: Type.String({ minLength: 1, maxLength: 100 }),
});
export type DisconnectUser = Static<typeof DisconnectUser>;
