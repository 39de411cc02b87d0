/** api's settings: environment variables with working local defaults, and the rules between them. */
import { ConfigError, envInt, envString, readBaseConfig, type BaseConfig } from '@relay/service-kit';

/** The service's name: logs, metrics, envelope source. */
export const SERVICE_NAME = 'api';

export interface ApiConfig extends BaseConfig {
  /** API key -> the name of the backend that holds it (logged with each write, never the key). */
  apiKeys: Map<string, string>;
  /** How long an open breaker waits before it lets a trial call through. */
  breakerResetMs: number;
}

export const API_DEFAULTS = { port: 8090, breakerResetMs: 5000 } as const;
/** Keys shorter than this are refused in production: they can be guessed. */
export const MIN_KEY_LENGTH = 32;

/** `API_KEYS=billing:k1,crm:k2` -> { k1 -> billing, k2 -> crm }. */
export function parseApiKeys(raw: string): Map<string, string> {
  const keys = new Map<string, string>();
  for (const entry of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const colon = entry.indexOf(':');
    const name = colon > 0 ? entry.slice(0, colon) : '';
    const key = colon > 0 ? entry.slice(colon + 1) : '';
    if (!name || !key) throw new ConfigError(`API_KEYS: "${entry.slice(0, 12)}..." is not NAME:KEY`);
    keys.set(key, name);
  }
  return keys;
}

/** Environment variables (docs/configuration.md "api" lists them with defaults). */
export function readConfig(env: Record<string, string | undefined> = process.env): ApiConfig {
  const config: ApiConfig = {
    ...readBaseConfig(SERVICE_NAME, API_DEFAULTS.port, env),
    apiKeys: parseApiKeys(envString('API_KEYS', '', env)),
    breakerResetMs: envInt('BREAKER_RESET_MS', API_DEFAULTS.breakerResetMs, env, 10),
  };
  if (env.NODE_ENV === 'production') {
    if (config.apiKeys.size === 0) throw new ConfigError('API_KEYS is empty: in production every request would be refused; set NAME:KEY pairs');
    for (const [key, name] of config.apiKeys) {
      if (key.length < MIN_KEY_LENGTH) throw new ConfigError(`API_KEYS: the key of "${name}" is shorter than ${MIN_KEY_LENGTH} characters`);
    }
  }
  return config;
}
