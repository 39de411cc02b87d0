import { envInt, envString, readBaseConfig, type BaseConfig } from '@relay/service-kit';

export interface GatewayConfig extends BaseConfig {
  /** WebSocket, dev-token and health endpoints all listen here. */
  port: number;
}

/** Environment variables (README "Configuration" lists them with defaults). */
export function readConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  const port = envInt('PORT', 8080, env);
  const base = readBaseConfig('ws-gateway', port, env);
  return { ...base, instanceId: envString('INSTANCE_ID', `gw-${process.pid}`, env), port, healthPort: port };
}
