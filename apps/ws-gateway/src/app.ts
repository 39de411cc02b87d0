import { createServiceRuntime, type ServiceRuntime } from '@relay/service-kit';
import type { GatewayConfig } from './config';

/** Builds the gateway without listening, so tests can run it in-process. */
export async function buildApp(config: GatewayConfig): Promise<ServiceRuntime> {
  return createServiceRuntime({ config, useRedis: false });
}
