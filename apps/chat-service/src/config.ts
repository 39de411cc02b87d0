/** chat-service's settings: environment variables with working local defaults. */
import { TEXT_MAX_CODE_POINTS } from '@relay/contracts';
import { envInt, readBaseConfig, type BaseConfig } from '@relay/service-kit';

/** The service's name: logs, metrics, envelope source, error tables. */
export const SERVICE_NAME = 'chat-service';

export interface ChatConfig extends BaseConfig {
  /** Messages kept per room; older ones are trimmed by the append script. */
  historyMaxPerRoom: number;
  /** How long a clientMsgId is remembered, so a retry stores nothing new. */
  clientMsgIdTtlSec: number;
  /** Text limit in Unicode code points (what users count), not UTF-16 units. */
  textMaxChars: number;
}

export const CHAT_DEFAULTS = {
  healthPort: 9101,
  historyMaxPerRoom: 10000,
  clientMsgIdTtlSec: 86400,
  textMaxChars: TEXT_MAX_CODE_POINTS,
} as const;

/** Environment variables (README "Configuration" lists them with defaults). */
export function readConfig(env: Record<string, string | undefined> = process.env): ChatConfig {
  return {
    ...readBaseConfig(SERVICE_NAME, CHAT_DEFAULTS.healthPort, env),
    historyMaxPerRoom: envInt('HISTORY_MAX_PER_ROOM', CHAT_DEFAULTS.historyMaxPerRoom, env, 1),
    clientMsgIdTtlSec: envInt('CLIENT_MSG_ID_TTL_SEC', CHAT_DEFAULTS.clientMsgIdTtlSec, env, 1),
    textMaxChars: envInt('TEXT_MAX_CHARS', CHAT_DEFAULTS.textMaxChars, env, 1),
  };
}
