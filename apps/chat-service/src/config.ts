import { readBaseConfig, type BaseConfig } from '@relay/service-kit';

export type ChatConfig = BaseConfig;

/** Environment variables (README "Configuration" lists them with defaults). */
export function readConfig(env: Record<string, string | undefined> = process.env): ChatConfig {
  return readBaseConfig('chat-service', 9101, env);
}
