import { readFileSync } from 'node:fs';
import { CLOSE_CODES } from '@relay/contracts';
import type { Logger } from '@relay/service-kit';
import type { ChildLoggerOptions } from 'pino';
import { createTokenVerifier, selectSubprotocol, type TokenVerifier } from './auth';
import type { EdgeConfig, GatewayConfig } from './config';
import { ConnectionAuth } from './connection-auth';
import { ConnectionLimits } from './connection-limits';
import { JwksKeys } from './jwks';
import { RoomPermissions } from './room-permissions';

/** Everything the gateway's edge needs to decide who gets in and what they may do. */
export interface GatewaySecurity {
  verifyToken: TokenVerifier;
  jwks?: JwksKeys;
  permissions: RoomPermissions;
  limits: ConnectionLimits;
  auth: ConnectionAuth;
  /** Stops the JWKS refresh timer. */
  stop(): void;
}

/**
 * Builds the gateway's security parts from its config, in one place so app.ts stays a list of
 * wiring calls. A JWKS is loaded before the gateway listens: a gateway that cannot read its
 * keys refuses to start instead of refusing every client.
 */
export async function createGatewaySecurity(config: GatewayConfig, logger: Logger): Promise<GatewaySecurity> {
  const { tokens, permissions, edge } = config;
  let jwks: JwksKeys | undefined;
  if (tokens.jwksFile !== undefined || tokens.jwksUrl !== undefined) {
    jwks = new JwksKeys({ file: tokens.jwksFile, url: tokens.jwksUrl, refreshMs: tokens.jwksRefreshMs, logger: logger.child({ component: 'jwks' }) });
    await jwks.start();
  }
  return {
    verifyToken: createTokenVerifier(tokens, jwks),
    jwks,
    permissions: new RoomPermissions(permissions, logger.child({ component: 'permissions' })),
    limits: new ConnectionLimits({ maxPerUser: edge.maxConnectionsPerUser, maxPerIp: edge.maxConnectionsPerIp }),
    auth: new ConnectionAuth({
      clockSkewMs: tokens.clockSkewMs,
      onExpired: (conn) => {
        conn.logger.info('token expired without a refresh: closing with 4001');
        conn.close(CLOSE_CODES.TOKEN_EXPIRED, 'token expired');
      },
    }),
    stop: () => jwks?.stop(),
  };
}

/** Fastify server options for the edge: wss:// from cert and key files, client IPs from a proxy. */
export function edgeServerOptions(edge: EdgeConfig): { trustProxy: boolean; https?: { cert: Buffer; key: Buffer } } {
  if (edge.tlsCertFile === undefined || edge.tlsKeyFile === undefined) return { trustProxy: edge.trustProxy };
  return { trustProxy: edge.trustProxy, https: { cert: readFileSync(edge.tlsCertFile), key: readFileSync(edge.tlsKeyFile) } };
}

/** ws server options: answer `relay.v1`, never echo a `bearer.<JWT>` subprotocol. */
export const wsServerOptions = {
  handleProtocols: (protocols: Set<string>) => selectSubprotocol(protocols),
};

/** Drops the query string (`?token=`) from a logged URL. */
export function urlWithoutQuery(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const q = url.indexOf('?');
  return q === -1 ? url : `${url.slice(0, q)}?[REDACTED]`;
}

/**
 * The HTTP logger never writes a token: request URLs lose their query string, and the
 * Authorization and Sec-WebSocket-Protocol headers (`bearer.<JWT>`) are redacted.
 */
export const httpLoggerOptions: ChildLoggerOptions = {
  level: 'warn',
  redact: {
    paths: ['req.headers.authorization', 'req.headers["sec-websocket-protocol"]', 'req.query.token', 'token'],
    censor: '[REDACTED]',
  },
  serializers: {
    req: (req: { method?: string; url?: string; headers?: Record<string, unknown>; ip?: string; id?: string }) => ({
      id: req.id,
      method: req.method,
      url: urlWithoutQuery(req.url),
      ip: req.ip,
      headers: req.headers,
    }),
  },
};
