/**
 * The NATS runtime of the platform: every publish, subscribe, request and serve goes through this
 * class, so every message is enveloped, correlated and validated against the catalog the same way.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { ErrorCode, headers as natsHeaders, type Msg, type MsgHdrs, type NatsConnection, type PubAck, type Subscription as NatsSubscription } from 'nats';
import {
  consumerOf,
  ContractError,
  isContractError,
  subjectFor,
  validate,
  versionedType,
  wildcardFor,
  type ContractErrorData,
  type EnvelopeOf,
  type EventDef,
  type RequestDef,
  type StreamDef,
  type SubjectParams,
} from '@relay/contracts';
import { DurableConsumer, type DurableOutcome } from './durable-consumer';
import { hasTraceHeaders, traceHandling, tracePublish, traceRequest, tracingActive } from './bus-tracing';
import { makeEnvelope, type EnvelopeIdentity } from './envelope';
import { RequestMux } from './request-mux';
import type { Subscription } from './subscription';

/**
 * Where publishers before the envelope's `cid` put the correlation id; still read, so a rolling
 * upgrade keeps its log correlation. Nothing writes it any more: a message without trace context
 * now travels without headers (cheaper to encode, route and parse).
 */
export const CORRELATION_HEADER = 'x-correlation-id';

/** nats-server's default max_payload, used before the server's INFO has arrived. */
export const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
/** Room for the reply wrapper and escaping slack, so a budgeted list always fits. */
const REPLY_HEADROOM_BYTES = 16 * 1024;

/** The minimal logger the bus needs; pino satisfies it. */
export interface BusLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface MessageMeta {
  subject: string;
  envelopeId: string;
  source: string;
  time: number;
  correlationId: string;
}

/** Why an inbound message was dropped: logged and counted by the caller's hook, never thrown. */
export interface InvalidMessage {
  subject: string;
  type: string;
  reason: string;
}

export interface BusOptions {
  /** Who we are, e.g. `chat-service/chat-1`; goes into every envelope. */
  source: string;
  logger: BusLogger;
  onInvalid?: (info: InvalidMessage) => void;
  /** Observes every request's duration and outcome, for metrics. */
  onRequest?: (info: { type: string; ms: number; outcome: 'ok' | string }) => void;
  /** Spans and `traceparent` headers (bus-tracing.ts); on when an OpenTelemetry SDK is registered. */
  tracing?: boolean;
}

export interface RequestOptions {
  timeoutMs: number;
  correlationId?: string;
}

export interface PublishOptions {
  correlationId?: string;
}

/**
 * An event whose identity was fixed before it is published: republishing it (an outbox retry)
 * sends the same envelope id and time, which consumers deduplicate and order on.
 */
export interface PreparedEvent<T extends string, S extends TSchema> {
  def: EventDef<T, S>;
  params: SubjectParams<T>;
  data: Static<S>;
  identity: EnvelopeIdentity;
  correlationId?: string;
}

export interface SubscribeOptions {
  queue?: string;
  /**
   * Sees the raw payload and the concrete subject before the payload is parsed and validated;
   * false skips the message. For a cheap test that can only answer "certainly not for me" (a
   * subscriber that reads a small share of a busy subject, or of a wildcard, saves a JSON parse
   * and a schema check per message).
   */
  prefilter?: (payload: Uint8Array, subject: string) => boolean;
}

type Reply<T> = { ok: true; data: T } | { ok: false; error: ContractErrorData };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export type EventParams<D> = D extends EventDef<infer T, TSchema> ? SubjectParams<T> : never;

/**
 * Typed publish, subscribe, request and serve over one NATS connection. Everything that
 * arrives is parsed and validated against the catalog; a bad message is reported through
 * `onInvalid` and skipped, never thrown into the subscription loop.
 */
export class Bus {
  readonly nc: NatsConnection;
  private readonly opts: BusOptions;
  private readonly owned = new Set<NatsSubscription>();
  private readonly durables = new Set<DurableConsumer<unknown, MessageMeta>>();
  private pending = 0;
  private idleWaiters: Array<() => void> = [];
  /** Decided once: with tracing off, no message pays for more than this flag. */
  readonly tracing: boolean;
  /** Every request of this bus goes through one reply subscription. */
  private readonly requests: RequestMux;

  constructor(nc: NatsConnection, opts: BusOptions) {
    this.nc = nc;
    this.opts = opts;
    this.requests = new RequestMux(nc);
    this.tracing = opts.tracing ?? tracingActive();
  }

  /** Serializes an event once; the bytes can be published to many subjects or reused. */
  encodeEvent<S extends TSchema>(def: EventDef<string, S>, data: Static<S>, correlationId?: string): Uint8Array {
    return encoder.encode(JSON.stringify(makeEnvelope(def.type, def.version, this.opts.source, data, undefined, correlationId)));
  }

  publish<T extends string, S extends TSchema>(
    def: EventDef<T, S>,
    params: SubjectParams<T>,
    data: Static<S>,
    opts: PublishOptions = {},
  ): void {
    const subject = subjectFor(def.subject, params);
    this.send(def.type, subject, this.encodeEvent(def, data, opts.correlationId));
  }

  /** Publishes an event with the id and time it was given (see PreparedEvent). */
  publishPrepared<T extends string, S extends TSchema>(event: PreparedEvent<T, S>): void {
    const subject = subjectFor(event.def.subject, event.params);
    const envelope = makeEnvelope(event.def.type, event.def.version, this.opts.source, event.data, event.identity, event.correlationId);
    this.send(event.def.type, subject, encoder.encode(JSON.stringify(envelope)));
  }

  /**
   * Every publish goes out here: without headers, or with tracing on inside a PRODUCER span whose
   * context the headers carry.
   */
  private send(type: string, subject: string, bytes: Uint8Array): void {
    if (!this.tracing) this.nc.publish(subject, bytes);
    else {
      const headers = natsHeaders();
      tracePublish(type, subject, headers, () => this.nc.publish(subject, bytes, { headers }));
    }
  }

  /**
   * Publishes an event to the JetStream stream that keeps it and resolves with the PubAck: the
   * event is stored. The envelope id is the Nats-Msg-Id, so a retried publish of the same event
   * (same identity) within the stream's duplicate window is stored once (`duplicate: true`).
   * Rejects when the data breaks the contract, or when no ack came within `timeoutMs`.
   */
  async publishDurable<T extends string, S extends TSchema>(event: PreparedEvent<T, S>, opts: { timeoutMs: number }): Promise<{ streamSeq: number; duplicate: boolean }> {
    const checked = validate(event.def.schema, event.data);
    if (!checked.ok) throw new ContractError('BAD_REQUEST', `${event.def.type}: ${checked.error}`, this.opts.source);
    const subject = subjectFor(event.def.subject, event.params);
    const envelope = makeEnvelope(event.def.type, event.def.version, this.opts.source, event.data, event.identity, event.correlationId);
    const bytes = encoder.encode(JSON.stringify(envelope));
    const js = this.nc.jetstream({ timeout: opts.timeoutMs });
    const options = { msgID: envelope.id, timeout: opts.timeoutMs };
    // With tracing on, the stored message keeps the trace context in its headers: the durable
    // consumer that reads it (maybe much later) continues the publisher's trace.
    let ack: PubAck;
    if (!this.tracing) ack = await js.publish(subject, bytes, options);
    else {
      const headers = natsHeaders();
      ack = await tracePublish(event.def.type, subject, headers, () => js.publish(subject, bytes, { ...options, headers }));
    }
    return { streamSeq: ack.seq, duplicate: ack.duplicate };
  }

  /**
   * Reads `def` from its stream through the durable consumer `durable` (declared in the stream's
   * contract), binding in the background until the stream exists. Every message is parsed and
   * validated like a core one; one that fails is terminated and reported through `onInvalid`. The
   * handler's success acks the message, its error asks for a redelivery later. quiesce() stops it.
   */
  consumeDurable<T extends string, S extends TSchema>(
    stream: StreamDef,
    durable: string,
    def: EventDef<T, S>,
    handler: (data: Static<S>, meta: MessageMeta, delivery: { count: number }) => Promise<void>,
    opts: { concurrency?: number; onOutcome?: (outcome: DurableOutcome) => void; logger?: BusLogger & { info?(obj: object, msg?: string): void } } = {},
  ): DurableConsumer<Static<S>, MessageMeta> {
    if (!stream.events.includes(def)) throw new Error(`stream ${stream.name} does not keep ${def.type}`);
    const expectedType = versionedType(def.type, def.version);
    const consumer = new DurableConsumer<Static<S>, MessageMeta>({
      nc: this.nc,
      stream,
      consumer: consumerOf(stream, durable),
      event: def,
      logger: opts.logger ?? this.opts.logger,
      concurrency: opts.concurrency,
      onOutcome: opts.onOutcome,
      parse: (msg) => {
        let reason = 'invalid';
        const parsed = this.parseEnvelope(msg, def.schema, expectedType, (r) => (reason = r));
        return parsed ? { ok: true, data: parsed.envelope.data, meta: parsed.meta } : { ok: false, reason };
      },
      // A message stored with trace context is handled inside a CONSUMER span of that trace.
      handle: (data, meta, delivery) =>
        this.tracing && hasTraceHeaders(delivery.headers)
          ? traceHandling('receive', def.type, meta.subject, delivery.headers, () => handler(data, meta, { count: delivery.count }))
          : handler(data, meta, { count: delivery.count }),
    });
    this.durables.add(consumer as DurableConsumer<unknown, MessageMeta>);
    consumer.start();
    return consumer;
  }

  /**
   * Resolves when the server has received everything published so far: the confirmation an
   * outbox waits for before it forgets an event, and what makes a new subscription live.
   */
  async flush(): Promise<void> {
    await this.nc.flush();
  }

  /**
   * Subscribes to one concrete subject (`params`) or to every subject of the template (`'*'`).
   * The handler's errors are logged with the subject, never rethrown.
   */
  subscribe<T extends string, S extends TSchema>(
    def: EventDef<T, S>,
    params: SubjectParams<T> | '*',
    handler: (data: Static<S>, meta: MessageMeta) => void | Promise<void>,
    opts: SubscribeOptions = {},
  ): Subscription {
    const subject = params === '*' ? wildcardFor(def.subject) : subjectFor(def.subject, params);
    const expectedType = versionedType(def.type, def.version);
    const sub = this.nc.subscribe(subject, {
      queue: opts.queue,
      callback: (err, msg) => {
        if (err) {
          this.opts.logger.error({ err, subject }, 'subscription error');
          return;
        }
        if (opts.prefilter && !opts.prefilter(msg.data, msg.subject)) return;
        const parsed = this.parseEnvelope(msg, def.schema, expectedType);
        if (!parsed) return;
        const { envelope, meta } = parsed;
        try {
          const result =
            this.tracing && hasTraceHeaders(msg.headers)
              ? traceHandling('receive', def.type, msg.subject, msg.headers, () => handler(envelope.data, meta))
              : handler(envelope.data, meta);
          if (result instanceof Promise) {
            this.pending++;
            result
              .catch((e: unknown) => this.opts.logger.error({ err: e, subject: msg.subject, correlationId: meta.correlationId }, 'event handler failed'))
              .finally(() => this.settle());
          }
        } catch (e) {
          this.opts.logger.error({ err: e, subject: msg.subject, correlationId: meta.correlationId }, 'event handler failed');
        }
      },
    });
    // Per-room and per-user subscriptions come and go; only long-lived ones need draining.
    if (params === '*' || opts.queue) this.owned.add(sub);
    return sub;
  }

  /**
   * How many bytes of payload one reply may carry: the server's max_payload less room for the
   * reply wrapper. Handlers that return lists (history, recovery, pending notifications) cut
   * them to fit and say `more`.
   */
  get replyBudgetBytes(): number {
    return Math.max(1024, this.maxPayloadBytes - REPLY_HEADROOM_BYTES);
  }

  /** The server's max_payload: the largest message it accepts. */
  get maxPayloadBytes(): number {
    return this.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
  }

  /** Requests and events being handled by async handlers right now. */
  get inFlight(): number {
    return this.pending;
  }

  /**
   * Stops taking requests and events and waits until every one in flight is handled. nats.js
   * `drain()` does not wait for async handlers, so without this a reply (or the work an event
   * started) could be lost when the connection closes during shutdown.
   */
  async quiesce(): Promise<void> {
    await Promise.all([...this.owned].map((s) => (s.isClosed() ? undefined : s.drain())));
    this.owned.clear();
    // Durable consumers stop pulling and finish (and ack) what they hold; the rest waits in the stream.
    await Promise.all([...this.durables].map((d) => d.stop()));
    this.durables.clear();
    if (this.pending > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Sends a request and validates the reply; every failure is a ContractError. */
  async request<T extends string, Q extends TSchema, R extends TSchema>(
    def: RequestDef<T, Q, R>,
    data: Static<Q>,
    opts: RequestOptions,
  ): Promise<Static<R>> {
    const started = performance.now();
    let outcome = 'ok';
    try {
      const checked = validate(def.request, data);
      if (!checked.ok) throw new ContractError('BAD_REQUEST', checked.error, this.opts.source);
      const body = encoder.encode(JSON.stringify(makeEnvelope(def.type, def.version, this.opts.source, data, undefined, opts.correlationId)));
      if (!this.tracing) return await this.exchange(def, body, undefined, opts.timeoutMs);
      const headers = natsHeaders();
      return await traceRequest(def.type, def.subject, headers, () => this.exchange(def, body, headers, opts.timeoutMs));
    } catch (err) {
      outcome = isContractError(err) ? err.code : 'INTERNAL';
      throw err;
    } finally {
      this.opts.onRequest?.({ type: def.type, ms: performance.now() - started, outcome });
    }
  }

  /** One request on the wire and its reply, checked: a refusal or a bad reply is a ContractError. */
  private async exchange<R extends TSchema>(def: RequestDef<string, TSchema, R>, body: Uint8Array, headers: MsgHdrs | undefined, timeoutMs: number): Promise<Static<R>> {
    let msg: Msg;
    try {
      msg = await this.requests.request(def.subject, body, headers, timeoutMs);
    } catch (err) {
      throw natsRequestError(err, def.type);
    }
    const reply = parseJson(msg.data) as Reply<unknown> | undefined;
    if (!reply || typeof reply !== 'object' || typeof reply.ok !== 'boolean') {
      throw new ContractError('BAD_REPLY', `${def.type}: reply is not a reply envelope`, def.queue);
    }
    if (!reply.ok) throw ContractError.fromData(reply.error);
    const value = validate(def.reply, reply.data);
    if (!value.ok) throw new ContractError('BAD_REPLY', `${def.type}: ${value.error}`, def.queue);
    return value.value;
  }

  /**
   * Answers requests in the definition's queue group. The handler gets validated data; a
   * ContractError it throws goes back to the caller as is, anything else as INTERNAL.
   */
  serve<T extends string, Q extends TSchema, R extends TSchema>(
    def: RequestDef<T, Q, R>,
    handler: (data: Static<Q>, meta: MessageMeta) => Promise<Static<R>>,
  ): Subscription {
    const expectedType = versionedType(def.type, def.version);
    const sub = this.nc.subscribe(def.subject, {
      queue: def.queue,
      callback: (err, msg) => {
        if (err) {
          this.opts.logger.error({ err, subject: def.subject }, 'subscription error');
          return;
        }
        const parsed = this.parseEnvelope(msg, def.request, expectedType, (reason) =>
          this.respondSafely(msg, def.type, '', { ok: false, error: new ContractError('BAD_REQUEST', reason, this.opts.source).toJSON() }),
        );
        if (!parsed) return;
        this.pending++;
        (this.tracing
          ? traceHandling('serve', def.type, msg.subject, msg.headers, () => handler(parsed.envelope.data, parsed.meta))
          : handler(parsed.envelope.data, parsed.meta)
        )
          .then(
            (data) => this.respondSafely(msg, def.type, parsed.meta.correlationId, { ok: true, data }),
            (e: unknown) => {
              const error = isContractError(e) ? e : new ContractError('INTERNAL', undefined, this.opts.source, { cause: e });
              if (!isContractError(e)) {
                this.opts.logger.error({ err: e, subject: def.subject, correlationId: parsed.meta.correlationId }, 'request handler failed');
              }
              this.respondSafely(msg, def.type, parsed.meta.correlationId, { ok: false, error: error.toJSON() });
            },
          )
          .finally(() => this.settle());
      },
    });
    this.owned.add(sub);
    return sub;
  }

  /**
   * A reply can fail to go out (larger than max_payload, connection closing). That must never
   * become an unhandled rejection that ends the process: log it and tell the caller if we can.
   */
  private respondSafely(msg: Msg, type: string, correlationId: string, reply: Reply<unknown>): void {
    try {
      respond(msg, reply);
    } catch (err) {
      this.opts.logger.error({ err, type, correlationId }, 'reply could not be sent');
      const code = (err as { code?: string }).code === ErrorCode.MaxPayloadExceeded ? 'REPLY_TOO_LARGE' : 'INTERNAL';
      try {
        respond(msg, { ok: false, error: new ContractError(code, undefined, this.opts.source).toJSON() });
      } catch (second) {
        this.opts.logger.error({ err: second, type, correlationId }, 'error reply could not be sent either');
      }
    }
  }

  private settle(): void {
    this.pending--;
    if (this.pending === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private parseEnvelope<S extends TSchema>(
    msg: Pick<Msg, 'data' | 'subject' | 'headers'>,
    schema: S,
    expectedType: string,
    onBad?: (reason: string) => void,
  ): { envelope: EnvelopeOf<Static<S>>; meta: MessageMeta } | undefined {
    const fail = (reason: string) => {
      this.opts.logger.warn({ subject: msg.subject, type: expectedType, reason }, 'invalid message dropped');
      this.opts.onInvalid?.({ subject: msg.subject, type: expectedType, reason });
      onBad?.(reason);
      return undefined;
    };
    const raw = parseJson(msg.data) as Partial<EnvelopeOf<unknown>> | undefined;
    if (!raw || typeof raw !== 'object') return fail('not JSON');
    if (raw.type !== expectedType) return fail(`type ${String(raw.type)} is not ${expectedType}`);
    if (typeof raw.id !== 'string' || typeof raw.source !== 'string' || typeof raw.time !== 'number') {
      return fail('envelope is missing id, source or time');
    }
    const data = validate(schema, raw.data);
    if (!data.ok) return fail(data.error);
    // The envelope's cid; the header of an older publisher; else the message is its own cause.
    const correlationId = (typeof raw.cid === 'string' && raw.cid) || msg.headers?.get(CORRELATION_HEADER) || raw.id;
    return {
      envelope: raw as EnvelopeOf<Static<S>>,
      meta: { subject: msg.subject, envelopeId: raw.id, source: raw.source, time: raw.time, correlationId },
    };
  }
}

function respond(msg: Msg, reply: Reply<unknown>): void {
  if (msg.reply) msg.respond(encoder.encode(JSON.stringify(reply)));
}

function parseJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(data));
  } catch {
    return undefined;
  }
}

function natsRequestError(err: unknown, type: string): ContractError {
  const code = (err as { code?: string }).code;
  if (code === ErrorCode.NoResponders) return new ContractError('NO_RESPONDERS', `${type}: no responders`, 'nats', { cause: err });
  if (code === ErrorCode.Timeout) return new ContractError('TIMEOUT', `${type}: timed out`, 'nats', { cause: err });
  return new ContractError('UNAVAILABLE', `${type}: ${(err as Error).message}`, 'nats', { cause: err });
}
