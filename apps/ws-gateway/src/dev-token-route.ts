import type { FastifyInstance } from 'fastify';
import { createSigner } from 'fast-jwt';
import { isUserId, USER_ID_PATTERN } from '@relay/contracts';

/** Dev tokens live for a day: long enough for a local session, short enough to not matter. */
const DEV_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * `POST /auth/dev-token {"user":"alice"}` -> `{"token"}`. Registered only with
 * AUTH_DEV_TOKENS=1 (so it is a 404 otherwise): it hands anybody a token for any user.
 */
export async function devTokenRoute(app: FastifyInstance, opts: { secret: string }): Promise<void> {
  const sign = createSigner({ key: opts.secret, algorithm: 'HS256', expiresIn: DEV_TOKEN_TTL_MS });
  app.post('/auth/dev-token', async (req, reply) => {
    const user = (req.body as { user?: unknown } | undefined)?.user;
    if (!isUserId(user)) {
      reply.code(400);
      return { error: 'BAD_REQUEST', message: `user must match ${USER_ID_PATTERN}` };
    }
    return { token: sign({ sub: user }) };
  });
}
