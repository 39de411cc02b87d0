/**
 * The HTTP API for backends. Each route's schema is built from the contracts' TypeBox schemas
 * (room names, user ids, message text, notification fields), so Fastify validates requests by
 * the same rules as the WebSocket and NATS paths, and the OpenAPI document comes from the same
 * table. Writes need an `Idempotency-Key`: a retried write stores nothing new.
 */
import { codePointLength, HISTORY_MAX_LIMIT, RoomName, SendMessageRequest, SendNotificationReply, SendNotificationRequest, TEXT_MAX_CODE_POINTS, UserId } from '@relay/contracts';
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeys } from './api-key-auth';
import { httpFailure } from './errors';
import type { ApiClients } from './service-calls';

const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.String({ minLength: 1, maxLength: 128, description: 'the same key repeats the same write without a second effect' }) });
const ErrorBody = Type.Object({ error: Type.String(), message: Type.String() });

export interface RouteDef {
  method: 'GET' | 'POST';
  url: string;
  summary: string;
  schema: { params?: TSchema; querystring?: TSchema; headers?: TSchema; body?: TSchema; response: Record<number, TSchema> };
  write: boolean;
  handle(clients: ApiClients, req: FastifyRequest, holder: string): Promise<{ status: number; body: unknown }>;
}

type Params = { room?: string; user?: string };

export const ROUTES: RouteDef[] = [
  {
    method: 'POST',
    url: '/v1/rooms/:room/messages',
    summary: 'Post a message into a room as a named system sender: stored, sequenced and fanned out like any other',
    write: true,
    schema: {
      params: Type.Object({ room: RoomName }),
      headers: IdempotencyHeaders,
      body: Type.Object({ text: SendMessageRequest.properties.text, from: Type.Optional(UserId) }),
      response: { 201: Type.Object({ room: RoomName, id: Type.String(), seq: Type.Integer(), ts: Type.Integer(), duplicate: Type.Boolean() }), 400: ErrorBody },
    },
    async handle(clients, req) {
      const { room } = req.params as Params & { room: string };
      const { text, from } = req.body as { text: string; from?: string };
      if (codePointLength(text) > TEXT_MAX_CODE_POINTS) return { status: 400, body: { error: 'BAD_REQUEST', message: `text is longer than ${TEXT_MAX_CODE_POINTS} characters` } };
      const key = req.headers['idempotency-key'] as string;
      const sent = await clients.chatSend({ room, user: from ?? 'system', text, clientMsgId: key }, req.id);
      return { status: 201, body: { room, ...sent } };
    },
  },
  {
    method: 'POST',
    url: '/v1/users/:user/notifications',
    summary: 'Send a notification to a user: live to every connection, or kept until the user is back',
    write: true,
    schema: {
      params: Type.Object({ user: UserId }),
      headers: IdempotencyHeaders,
      body: Type.Omit(SendNotificationRequest, ['user', 'idempotencyKey']),
      response: { 202: SendNotificationReply, 400: ErrorBody },
    },
    async handle(clients, req) {
      const { user } = req.params as Params & { user: string };
      const body = req.body as Omit<typeof SendNotificationRequest.static, 'user' | 'idempotencyKey'>;
      const reply = await clients.notifySend({ ...body, user, idempotencyKey: req.headers['idempotency-key'] as string }, req.id);
      return { status: 202, body: reply };
    },
  },
  {
    method: 'GET',
    url: '/v1/rooms/:room/messages',
    summary: "A page of a room's history, ascending by seq (before: exclusive upper bound)",
    write: false,
    schema: {
      params: Type.Object({ room: RoomName }),
      querystring: Type.Object({ before: Type.Optional(Type.Integer({ minimum: 1 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: HISTORY_MAX_LIMIT })) }),
      response: { 200: Type.Object({ messages: Type.Array(Type.Object({ room: Type.String(), id: Type.String(), seq: Type.Integer(), from: Type.String(), text: Type.String(), ts: Type.Integer() })) }) },
    },
    async handle(clients, req) {
      const { room } = req.params as Params & { room: string };
      const q = req.query as { before?: number; limit?: number };
      const page = await clients.chatHistory({ room, limit: q.limit ?? 50, ...(q.before !== undefined ? { before: q.before } : {}) }, req.id);
      return { status: 200, body: page };
    },
  },
  {
    method: 'GET',
    url: '/v1/rooms/:room/presence',
    summary: 'Users with at least one live connection in the room, on any gateway',
    write: false,
    schema: { params: Type.Object({ room: RoomName }), response: { 200: Type.Object({ users: Type.Array(Type.String()) }) } },
    async handle(clients, req) {
      const { room } = req.params as Params & { room: string };
      const users = new Set<string>();
      let cursor: string | undefined;
      // Large rooms come in pages; a user may appear on two pages, hence the set.
      for (let page = 0; page < 1000; page++) {
        const reply = await clients.roomMembers({ room, ...(cursor ? { cursor } : {}) }, req.id);
        for (const u of reply.users) users.add(u);
        cursor = reply.cursor;
        if (!cursor || cursor === '0') break;
      }
      return { status: 200, body: { users: [...users].sort() } };
    },
  },
  {
    method: 'GET',
    url: '/v1/users/online',
    summary: 'Which of the given users (comma-separated, up to 1000) have a live connection',
    write: false,
    schema: { querystring: Type.Object({ users: Type.String({ minLength: 1, maxLength: 70000 }) }), response: { 200: Type.Object({ online: Type.Array(Type.String()) }), 400: ErrorBody } },
    async handle(clients, req) {
      const users = [...new Set((req.query as { users: string }).users.split(',').map((u) => u.trim()).filter(Boolean))];
      const reply = await clients.online({ users }, req.id);
      return { status: 200, body: reply };
    },
  },
];

/** Registers every route behind the API-key check; a failed service call becomes 400/503/500. */
export function registerRoutes(http: FastifyInstance, clients: ApiClients, keys: ApiKeys, log: { info: (o: object, m: string) => void }): void {
  for (const route of ROUTES) {
    http.route({
      method: route.method,
      url: route.url,
      schema: route.schema,
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        const holder = keys.holderOf(req.headers);
        if (!holder) {
          return reply.code(401).send({ error: 'UNAUTHORIZED', message: keys.configured ? 'a valid API key is required (Authorization: Bearer KEY)' : 'no API keys are configured (API_KEYS)' });
        }
        try {
          const { status, body } = await route.handle(clients, req, holder);
          if (route.write) log.info({ holder, route: route.url, status }, 'api write');
          return reply.code(status).send(body);
        } catch (err) {
          const failure = httpFailure(err);
          if (failure.retryAfterS) reply.header('retry-after', String(failure.retryAfterS));
          return reply.code(failure.status).send(failure.body);
        }
      },
    });
  }
}
