/**
 * Who may read the ops data: a client token (the gateway's own JWT check) whose user is in
 * OPS_ADMINS. Only the Authorization header counts: a token in a URL ends up in logs.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { tokenFrom, type TokenVerifier } from '../auth';

export type OpsAuthDecision = { ok: true; user: string } | { ok: false; status: 401 | 403; error: string };

export function opsAuthorizer(verify: TokenVerifier, admins: readonly string[]) {
  const allowed = new Set(admins);
  return async (req: FastifyRequest): Promise<OpsAuthDecision> => {
    const token = tokenFrom(undefined, req.headers);
    if (!token) return { ok: false, status: 401, error: 'send Authorization: Bearer <token of an OPS_ADMINS user>' };
    const auth = await verify(token);
    if (!auth.ok) return { ok: false, status: 401, error: `invalid token (${auth.reason})` };
    if (!allowed.has(auth.claims.sub)) return { ok: false, status: 403, error: `${auth.claims.sub} is not in OPS_ADMINS` };
    return { ok: true, user: auth.claims.sub };
  };
}

export function refuse(reply: FastifyReply, decision: Extract<OpsAuthDecision, { ok: false }>) {
  reply.code(decision.status);
  return { error: decision.status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN', message: decision.error };
}
