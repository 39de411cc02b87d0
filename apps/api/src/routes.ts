/**
 * The HTTP API for backends. Each route's schema is built from the contracts' TypeBox schemas
 * (room names, user ids, message text, notification fields), so Fastify validates requests by
 * the same rules as the WebSocket and NATS paths, and the OpenAPI document comes from the same
 * table. Writes need an `Idempotency-Key`: a retried write stores nothing new.
 */
import { codePointLength, DisconnectUser, HISTORY_MAX_LIMIT, OnlineUsersRequest, RoomName, SendMessageRequest, SendNotificationReply, SendNotificationRequest, TEXT_MAX_CODE_POINTS, UserId } from '@relay/contracts';
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeys } from './api-key-auth';
import { httpFailure } from './errors';
import type { ApiClients } from './service-calls';
import type { DisconnectUserFn } from './user-disconnect';

const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.String({ minLength: 1, maxLength: 128, description: 'the same key repeats the same write without a second effect' }) });
const ErrorBody = Type.Object({ error: Type.String(), message: Type.String() }, { description: 'refused: the message says why' });
/** Answers every route may give besides its own (the document lists them per route). */
const COMMON_RESPONSES = {
  401: Type.Object({ error: Type.String(), message: Type.String() }, { description: 'missing or wrong API key' }),
  503: Type.Object({ error: Type.String(), message: Type.String() }, { description: 'a service behind the api is unavailable; see Retry-After' }),
};
const DEFAULT_DISCONNECT_REASON = 'disconnected by the server';

/** What a route handler can reach: the service clients and the gateways' control event. */
export interface RouteDeps {
  clients: ApiClients;
  disconnectUser: DisconnectUserFn;
}

export interface RouteDef {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  summary: string;
  schema: { params?: TSchema; querystring?: TSchema; headers?: TSchema; body?: TSchema; response: Record<number, TSchema> };
  /** Changes something: logged with the key holder's name. */
  write: boolean;
  /**
   * A write whose repetition has no second effect by nature (a disconnect): it needs no
   * Idempotency-Key. Every other write requires one.
   */
  naturallyIdempotent?: true;
  handle(deps: RouteDeps, req: FastifyRequest, holder: string): Promise<{ status: number; body: unknown }>;
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
    async handle({ clients }, req) {
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
    async handle({ clients }, req) {
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
    async handle({ clients }, req) {
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
    async handle({ clients }, req) {
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
    summary: 'Online users: which of `users` (comma-separated, up to 1000) have a live connection; without `users`, every online user, one page at a time (follow `cursor`)',
    write: false,
    schema: {
      querystring: Type.Object({
        users: Type.Optional(Type.String({ minLength: 1, maxLength: 70000, description: 'comma-separated user ids to check (up to 1000)' })),
        cursor: Type.Optional({ ...OnlineUsersRequest.properties.cursor, description: 'the `cursor` of the previous page, unchanged; absent for the first page' }),
      }),
      response: {
        200: Type.Object({
          online: Type.Array(Type.String()),
          count: Type.Optional(Type.Integer({ minimum: 0, description: 'listing only: users online when the page was read' })),
          cursor: Type.Optional(Type.String({ description: 'listing only: present when there are more pages' })),
        }, { description: 'the online users (of the list, or one page of all)' }),
        400: ErrorBody,
      },
    },
    async handle({ clients }, req) {
      const q = req.query as { users?: string; cursor?: string };
      if (q.users !== undefined) {
        if (q.cursor !== undefined) return { status: 400, body: { error: 'BAD_REQUEST', message: 'cursor pages the full listing; it does not go with users' } };
        const users = [...new Set(q.users.split(',').map((u) => u.trim()).filter(Boolean))];
        return { status: 200, body: await clients.online({ users }, req.id) };
      }
      // One page per HTTP call: the listing of a large deployment is bounded by the bus's reply size.
      const page = await clients.onlineUsers(q.cursor && q.cursor !== '0' ? { cursor: q.cursor } : {}, req.id);
      return { status: 200, body: { online: page.users, count: page.count, ...(page.cursor && page.cursor !== '0' ? { cursor: page.cursor } : {}) } };
    },
  },
  {
    method: 'DELETE',
    url: '/v1/users/:user/sessions',
    summary: "Disconnect a user's sessions on every gateway (close code 4002); the client does not reconnect by itself",
    write: true,
    naturallyIdempotent: true,
    schema: {
      params: Type.Object({ user: UserId }),
      querystring: Type.Object({ reason: Type.Optional({ ...DisconnectUser.properties.reason, description: `sent to the client as the close reason (default "${DEFAULT_DISCONNECT_REASON}")` }) }),
      response: { 202: Type.Object({ user: UserId }, { description: 'every gateway has been told; sockets close within moments' }), 400: ErrorBody },
    },
    async handle({ disconnectUser }, req) {
      const { user } = req.params as Params & { user: string };
      const reason = (req.query as { reason?: string }).reason ?? DEFAULT_DISCONNECT_REASON;
      await disconnectUser({ user, reason }, req.id);
      return { status: 202, body: { user } };
    },
  },
];

/** Registers every route behind the API-key check; a failed service call becomes 400/503/500. */
export function registerRoutes(http: FastifyInstance, deps: RouteDeps, keys: ApiKeys, log: { info: (o: object, m: string) => void }): void {
  for (const route of ROUTES) {
    http.route({
      method: route.method,
      url: route.url,
      // summary is read by @fastify/swagger; the error answers every route may give are listed too.
      schema: { ...route.schema, summary: route.summary, response: { ...route.schema.response, ...COMMON_RESPONSES } },
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        const holder = keys.holderOf(req.headers);
        if (!holder) {
          return reply.code(401).send({ error: 'UNAUTHORIZED', message: keys.configured ? 'a valid API key is required (Authorization: Bearer KEY)' : 'no API keys are configured (API_KEYS)' });
        }
        try {
          const { status, body } = await route.handle(deps, req, holder);
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
