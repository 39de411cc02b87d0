import type { FastifyInstance } from 'fastify';
import type { TokenClaims } from '@relay/contracts';
import { createTokenVerifier, tokenFrom } from './auth';
import type { Gateway } from './gateway';

declare module 'fastify' {
  interface FastifyRequest {
    claims?: TokenClaims;
  }
}

/**
 * `GET /ws`: the token is checked in a hook, before the upgrade, so a bad token gets HTTP
 * 401 and no socket is ever opened.
 */
export async function wsRoute(app: FastifyInstance, opts: { gateway: Gateway; secret: string }): Promise<void> {
  const verify = createTokenVerifier(opts.secret);
  app.get(
    '/ws',
    {
      websocket: true,
      preValidation: async (req, reply) => {
        if (opts.gateway.isDraining) {
          return reply.code(503).send({ error: 'SERVICE_UNAVAILABLE', message: 'the gateway is shutting down' });
        }
        const token = tokenFrom(req.query, req.headers);
        if (!token) return reply.code(401).send({ error: 'UNAUTHORIZED', message: 'a token is required' });
        const result = verify(token);
        if (!result.ok) {
          req.log.info({ reason: result.reason }, 'token refused');
          return reply.code(401).send({ error: 'UNAUTHORIZED', message: 'the token is invalid' });
        }
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
