/**
 * "Disconnect a user's sessions": one event on the gateways' control subject (every gateway
 * closes its own connections of the user with 4002). The api answers once the NATS server has
 * the event (a flush), bounded by the request timeout, so a backend knows it was sent, or gets
 * a 503 it can retry (repeating a disconnect is harmless).
 */
import { ContractError, GatewayDisconnectUser, type DisconnectUser } from '@relay/contracts';
import type { Bus } from '@relay/bus';

export type DisconnectUserFn = (data: DisconnectUser, correlationId: string) => Promise<void>;

export function userDisconnector(bus: Pick<Bus, 'publish' | 'flush'>, timeoutMs: number): DisconnectUserFn {
  return async (data, correlationId) => {
    bus.publish(GatewayDisconnectUser, {}, data, { correlationId });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new ContractError('UNAVAILABLE', 'NATS did not confirm the disconnect event in time', 'nats')), timeoutMs);
    });
    try {
      await Promise.race([bus.flush(), late]);
    } finally {
      clearTimeout(timer);
    }
  };
}
