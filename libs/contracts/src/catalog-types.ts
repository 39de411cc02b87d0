import type { Static, TSchema } from '@sinclair/typebox';

/** `"room.{room}.message"` → `"room"`: subject parameters are read from the template's type. */
type ParamNames<T extends string> = T extends `${string}{${infer P}}${infer R}` ? P | ParamNames<R> : never;
export type SubjectParams<T extends string> = [ParamNames<T>] extends [never]
  ? Record<string, never>
  : Record<ParamNames<T>, string>;

/**
 * Who connects to NATS: each service, the gateway, the HTTP api for backends, plus `app-backend`,
 * the application's own servers that send notifications over NATS directly. Each role gets its own NATS credentials, and its subject
 * permissions are derived from the `publishers`/`subscribers`/`requesters`/`queue` fields below.
 */
export const BUS_ROLES = ['ws-gateway', 'chat-service', 'presence-service', 'notification-service', 'api', 'app-backend'] as const;
export type BusRole = (typeof BUS_ROLES)[number];

export interface EventDef<T extends string = string, S extends TSchema = TSchema> {
  readonly kind: 'event';
  /** Subject template; each `{param}` is filled with a validated subject token. */
  readonly subject: T;
  readonly type: string;
  readonly version: number;
  readonly schema: S;
  /** The only roles allowed to publish this event (NATS permissions are derived from it). */
  readonly publishers: readonly BusRole[];
  /** The only roles allowed to subscribe to it (any subject of the template, any queue). */
  readonly subscribers: readonly BusRole[];
}

export interface RequestDef<T extends string = string, Q extends TSchema = TSchema, R extends TSchema = TSchema> {
  readonly kind: 'request';
  readonly subject: T;
  readonly type: string;
  readonly version: number;
  readonly request: Q;
  readonly reply: R;
  /**
   * The role that answers, which is also its queue group, so N instances serve each request
   * once. Only this role may subscribe to the subject, and only in this queue group.
   */
  readonly queue: BusRole;
  /** The only roles allowed to send this request. */
  readonly requesters: readonly BusRole[];
}

export type EventData<D> = D extends EventDef<string, infer S> ? Static<S> : never;
export type RequestData<D> = D extends RequestDef<string, infer Q, TSchema> ? Static<Q> : never;
export type ReplyData<D> = D extends RequestDef<string, TSchema, infer R> ? Static<R> : never;

export function defineEvent<const T extends string, S extends TSchema>(def: Omit<EventDef<T, S>, 'kind'>): EventDef<T, S> {
  return { kind: 'event', ...def };
}

export function defineRequest<const T extends string, Q extends TSchema, R extends TSchema>(
  def: Omit<RequestDef<T, Q, R>, 'kind'>,
): RequestDef<T, Q, R> {
  return { kind: 'request', ...def };
}
