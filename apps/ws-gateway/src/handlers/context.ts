import type { Bus } from '@relay/bus';
import type { AdmissionLimiter, Logger } from '@relay/service-kit';
import type { TokenVerifier } from '../auth';
import type { GatewayConfig } from '../config';
import type { Connection } from '../connection';
import type { ConnectionAuth } from '../connection-auth';
import type { GatewayMetrics } from '../metrics';
import type { PresenceReporter } from '../presence-reporter';
import type { RoomPermissions } from '../room-permissions';
import type { RoomSubscriptions } from '../room-subscriptions';
import type { ServiceClients } from '../service-clients';

/** What every frame handler may use. */
export interface GatewayContext {
  config: GatewayConfig;
  bus: Bus;
  rooms: RoomSubscriptions;
  services: ServiceClients;
  /**
   * Overload is admission control, not failure: what a client asks of chat-service (send, join,
   * history) runs through this bound and is refused at once past it. The gateway's own follow-up
   * calls (gap fills, later replay parts) do not, so they are never shed.
   */
  chatAdmission: AdmissionLimiter;
  presence: PresenceReporter;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Each connection's token claims and expiry timer. */
  auth: ConnectionAuth;
  permissions: RoomPermissions;
  verifyToken: TokenVerifier;
}

/** One inbound request: its connection and the correlation id that goes into NATS headers. */
export interface RequestScope {
  conn: Connection;
  correlationId: string;
  /** When the frame arrived (performance.now()), for latency metrics. */
  receivedAt: number;
}

export type FrameHandler<F> = (ctx: GatewayContext, scope: RequestScope, frame: F) => void | Promise<void>;

/** `ref` is echoed only when the client sent one. */
export function withRef<T extends object>(frame: T, ref: string | undefined): T & { ref?: string } {
  return ref === undefined ? frame : { ...frame, ref };
}
