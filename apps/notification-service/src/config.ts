import { readBaseConfig, type BaseConfig } from '@relay/service-kit';

export type NotificationConfig = BaseConfig;

/** Environment variables (README "Configuration" lists them with defaults). */
export function readConfig(env: Record<string, string | undefined> = process.env): NotificationConfig {
  return readBaseConfig('notification-service', 9103, env);
}
