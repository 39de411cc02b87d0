import { createServiceRuntime, type ServiceRuntime } from '@relay/service-kit';
import type { PresenceConfig } from './config';

/** Builds the service without listening, so tests can run it in-process. */
export async function buildApp(config: PresenceConfig): Promise<ServiceRuntime> {
  const runtime = await createServiceRuntime({ config, useRedis: true });
  return runtime;
}
