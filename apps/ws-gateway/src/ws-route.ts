import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TokenClaims } from '@relay/contracts';
import { tokenFrom, type TokenVerifier } from './auth';
import type { ConnectionLimits } from './connection-limits';
import type { Gateway } from './gateway';

declare module 'fastify' {
  interface FastifyRequest {
    claims?: TokenClaims;
  }
}

export interface WsRouteOptions {
  gateway: Gateway;
  verifyToken: TokenVerifier;
  limits: ConnectionLimits;
  /** Allowed browser origins; empty = any. Upgrades without an Origin header (non-browsers) pass. */
  allowedOrigins: string[];
}

/**
 * `GET /ws`: every check runs in a hook before the upgrade, so a refused client gets an HTTP
 * status and no socket is ever opened: 503 while draining, 403 for a foreign Origin, 401 for a
 * missing or bad token, 429 + Retry-After past the per-user or per-address connection limit.
 */
export async function wsRoute(app: FastifyInstance, opts: WsRouteOptions): Promise<void> {
  const origins = new Set(opts.allowedOrigins);
  app.get(
    '/ws',
    {
      websocket: true,
      preValidation: async (req, reply) => {
        if (opts.gateway.isDraining) {
          return reply.code(503).header('retry-after', '1').send({ error: 'SERVICE_UNAVAILABLE', message: 'the gateway is shutting down' });
        }
        const origin = req.headers.origin;
        if (origins.size > 0 && typeof origin === 'string' && !origins.has(origin)) {
          req.log.info({ origin }, 'upgrade from a foreign origin refused');
          return reply.code(403).send({ error: 'FORBIDDEN', message: 'this origin may not connect' });
        }
        const token = tokenFrom(req.query, req.headers);
        if (!token) return reply.code(401).send({ error: 'UNAUTHORIZED', message: 'a token is required' });
        const result = await opts.verifyToken(token);
        if (!result.ok) {
          req.log.info({ reason: result.reason }, 'token refused');
          return reply.code(401).send({ error: 'UNAUTHORIZED', message: 'the token is invalid' });
        }
        const admission = opts.limits.admit(result.claims.sub, req.ip);
        if (!admission.ok) return refuseTooMany(reply, admission.reason, admission.retryAfterS);
        // The slot is held until the TCP socket closes, whether or not the upgrade completes.
        req.raw.socket.once('close', admission.release);
        req.claims = result.claims;
      },
    },
    (socket, req) => {
      // preValidation guarantees the claims; a missing one would be a wiring bug.
      if (!req.claims) {
        socket.close(1011, 'internal error');
        return;
      }
      opts.gateway.open(socket, req.claims);
    },
  );
}

function refuseTooMany(reply: FastifyReply, message: string, retryAfterS: number): FastifyReply {
  return reply.code(429).header('retry-after', String(retryAfterS)).send({ error: 'RATE_LIMITED', message });
}
