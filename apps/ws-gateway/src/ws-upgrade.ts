import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { TokenClaims } from '@relay/contracts';
import type { Logger } from '@relay/service-kit';
import { tokenFrom, type TokenVerifier } from './auth';
import type { ConnectionLimits } from './connection-limits';
import type { Gateway } from './gateway';
import { wsServerOptions } from './gateway-security';

/** The one path clients upgrade on. */
export const WS_PATH = '/ws';

export interface WsUpgradeOptions {
  gateway: Gateway;
  verifyToken: TokenVerifier;
  limits: ConnectionLimits;
  /** Allowed browser origins; empty = any. Upgrades without an Origin header (non-browsers) pass. */
  allowedOrigins: string[];
  /** Take the client address from X-Forwarded-For (behind a load balancer), as the HTTP routes do. */
  trustProxy: boolean;
  maxPayloadBytes: number;
  logger: Logger;
}

type Refusal = { status: number; error: string; message: string; retryAfterS?: number };
type Decision = { ok: true; claims: TokenClaims; release: () => void } | { ok: false; refusal: Refusal };

/**
 * `GET /ws`, handled on the HTTP server's `upgrade` event rather than as a Fastify route: every
 * check runs before the handshake, so a refused client gets an HTTP status and no socket is ever
 * opened (503 while draining, 403 for a foreign Origin, 401 for a missing or bad token, 429 +
 * Retry-After past the per-user or per-address connection limit).
 *
 * Why not @fastify/websocket: it routes each upgrade through Fastify (request and reply objects,
 * hooks, a child logger) and keeps that request reachable from the socket for the connection's
 * whole life, about 3.3 KB of heap per idle connection, and the routing was a visible share of a
 * connect storm's CPU. Here the upgrade request is dropped once the socket is open, and `ws`
 * keeps no client set (`clientTracking: false`): the gateway's registry is the one list.
 */
export function handleWebSocketUpgrades(server: Server, opts: WsUpgradeOptions): void {
  const wss = new WebSocketServer({ noServer: true, clientTracking: false, maxPayload: opts.maxPayloadBytes, ...wsServerOptions });
  const origins = new Set(opts.allowedOrigins);
  const logger = opts.logger.child({ component: 'ws-upgrade' });

  const decide = async (req: IncomingMessage, ip: string): Promise<Decision> => {
    if (opts.gateway.isDraining) return refused(503, 'SERVICE_UNAVAILABLE', 'the gateway is shutting down', 1);
    const origin = req.headers.origin;
    if (origins.size > 0 && typeof origin === 'string' && !origins.has(origin)) {
      logger.info({ origin, ip }, 'upgrade from a foreign origin refused');
      return refused(403, 'FORBIDDEN', 'this origin may not connect');
    }
    const token = tokenFrom(queryOf(req.url), req.headers);
    if (!token) return refused(401, 'UNAUTHORIZED', 'a token is required');
    const result = await opts.verifyToken(token);
    if (!result.ok) {
      logger.info({ reason: result.reason, ip }, 'token refused');
      return refused(401, 'UNAUTHORIZED', 'the token is invalid');
    }
    // Checked again: the gateway may have begun draining while the token was verified.
    if (opts.gateway.isDraining) return refused(503, 'SERVICE_UNAVAILABLE', 'the gateway is shutting down', 1);
    const admission = opts.limits.admit(result.claims.sub, ip);
    if (!admission.ok) return refused(429, 'RATE_LIMITED', admission.reason, admission.retryAfterS);
    return { ok: true, claims: result.claims, release: admission.release };
  };

  const upgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    // Until ws takes the socket over, a client that resets mid-check must not be an unhandled error.
    const onEarlyError = (err: Error) => logger.debug({ err: err.message }, 'socket error before the upgrade');
    socket.on('error', onEarlyError);
    if (pathOf(req.url) !== WS_PATH) return respond(socket, { status: 404, error: 'NOT_FOUND', message: `upgrade only on ${WS_PATH}` });
    let decision: Decision;
    try {
      decision = await decide(req, clientAddress(req, opts.trustProxy));
    } catch (err) {
      logger.error({ err }, 'upgrade check failed');
      return respond(socket, { status: 500, error: 'INTERNAL', message: 'internal error' });
    }
    if (!decision.ok) return respond(socket, decision.refusal);
    // The slot is held until the TCP socket closes, whether or not the handshake completes.
    if (socket.destroyed) return decision.release();
    socket.once('close', decision.release);
    const { claims } = decision;
    wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('error', onEarlyError);
      opts.gateway.open(ws, claims);
    });
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void upgrade(req, socket, head);
  });
}

function refused(status: number, error: string, message: string, retryAfterS?: number): Decision {
  return { ok: false, refusal: { status, error, message, retryAfterS } };
}

/** An HTTP answer on the raw socket (there is no Fastify reply here), then the socket is closed. */
function respond(socket: Duplex, r: Refusal): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error: r.error, message: r.message });
  const retryAfter = r.retryAfterS === undefined ? '' : `Retry-After: ${r.retryAfterS}\r\n`;
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${r.status} ${STATUS_CODES[r.status] ?? ''}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n${retryAfter}\r\n${body}`,
  );
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** `?token=` for tokenFrom; the other query parameters are not used. */
function queryOf(url: string | undefined): { token?: string } {
  const q = url?.indexOf('?') ?? -1;
  if (url === undefined || q === -1) return {};
  return { token: new URLSearchParams(url.slice(q + 1)).get('token') ?? undefined };
}

/**
 * The client's address: the socket's peer, or with `trustProxy` the first (client-most) entry of
 * X-Forwarded-For, the address Fastify gives `req.ip` with `trustProxy: true`.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const peer = req.socket.remoteAddress ?? '';
  if (!trustProxy) return peer;
  const xff = req.headers['x-forwarded-for'];
  const first = (Array.isArray(xff) ? xff[0] : xff)?.split(',')[0]?.trim();
  return first || peer;
}
