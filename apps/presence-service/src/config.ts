import { readBaseConfig, type BaseConfig } from '@relay/service-kit';

export type PresenceConfig = BaseConfig;

/** Environment variables (README "Configuration" lists them with defaults). */
export function readConfig(env: Record<string, string | undefined> = process.env): PresenceConfig {
  return readBaseConfig('presence-service', 9102, env);
}
