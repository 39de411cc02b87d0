/**
 * One shape for every service. A service is a definition (its name, whether it owns Redis state,
 * and a `setup` that wires its handlers and clients); `startService` builds it in-process (tests
 * and main use the same call) and `runService` is the whole of a main.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { Static, TSchema } from '@sinclair/typebox';
import type { EventDef, RequestDef, StreamDef, SubjectParams } from '@relay/contracts';
import type { Bus, SubscribeOptions, Subscription } from '@relay/bus';
import { consumeDurable, ensureOwnStream, type DurableSubscription } from './durable';
import { ConfigError, type BaseConfig } from './env';
import { createHandlerMetrics, instrumentEvent, instrumentRequest, type EventHandler, type HandlerMetrics, type RequestHandler } from './handler-metrics';
import { createLogger, type Logger } from './logger';
import type { ServiceMetrics } from './metrics';
import { installProcessGuards } from './process-guards';
import { redisReady, type Redis } from './redis-connection';
import { checkRedisDurability, watchRedisDurability } from './redis-durability';
import { RETRY_PRESETS } from './retry-presets';
import { createServiceClient, type CallSpec, type ServiceClient } from './service-client';
import { createServiceRuntime, type ServiceRuntime } from './service-runtime';

/** How long start-up waits for Redis before serving anyway (see startService). */
const REDIS_START_WAIT_MS = 5000;

type PresetName = keyof typeof RETRY_PRESETS;

/** What `setup` gets: the runtime, and the instrumented ways to serve, consume and call. */
export interface ServiceContext<C extends BaseConfig> {
  config: C;
  logger: Logger;
  metrics: ServiceMetrics;
  bus: Bus;
  /** Present when the definition says `redis: true`. */
  redis: Redis;
  http: FastifyInstance;
  runtime: ServiceRuntime;
  /** Answers a catalog request in its queue group; counted, timed and logged (handler-metrics.ts). */
  serve<T extends string, Q extends TSchema, R extends TSchema>(def: RequestDef<T, Q, R>, handler: RequestHandler<Static<Q>, Static<R>>): Subscription;
  /** Consumes a catalog event for the life of the service; counted and logged. */
  consume<T extends string, S extends TSchema>(
    def: EventDef<T, S>,
    params: SubjectParams<T> | '*',
    handler: EventHandler<Static<S>>,
    opts?: SubscribeOptions,
  ): Subscription;
  /**
   * Creates or updates a stream this service owns, with the configured limits (config.streams).
   * Resolves after the first attempt; a failed one is logged and retried in the background, so a
   * NATS without JetStream delays only the durable events, not the service.
   */
  ensureStream(def: StreamDef): Promise<void>;
  /**
   * Reads a catalog event from its stream through a durable consumer the stream declares for this
   * service: shared by every instance (they split the work), explicit acks after the handler
   * succeeded, a failing handler's message redelivered with backoff, a malformed one terminated;
   * all counted in relay_durable_messages_total. The handler must be idempotent: a message can
   * come again (a crash before the ack, a redelivery).
   */
  consumeDurable<T extends string, S extends TSchema>(stream: StreamDef, durable: string, def: EventDef<T, S>, handler: EventHandler<Static<S>>, opts?: { concurrency?: number }): DurableSubscription;
  /** Calls to other services through breakers and the shared retry presets (service-client.ts). */
  client<S extends Record<string, CallSpec<RequestDef, PresetName>>>(
    calls: S,
    opts: { timeoutMs: number; requestTimeoutMs?: number; resetTimeoutMs: number },
  ): ServiceClient<S>;
}

export interface ServiceDefinition<C extends BaseConfig, P extends object> {
  /** The service's name constant (SERVICE_NAME): logs, metrics labels, envelope source. */
  name: string;
  /** Prefix of the handler metrics, e.g. `relay_chat`. */
  metricPrefix: string;
  /** Services that own state connect to Redis; the gateway does not. */
  redis: boolean;
  /**
   * The service stores acknowledged data in Redis (messages, pending notifications): it checks
   * that Redis has the append-only file on, and refuses to start in production when it has not
   * (redis-durability.ts).
   */
  durableRedis?: boolean;
  /** How long start-up waits for Redis before serving anyway; 5 s when absent. */
  redisStartWaitMs?: (config: C) => number;
  /** A Fastify of the service's own making (the gateway serves WebSocket on the same port). */
  http?: (logger: Logger, config: C) => FastifyInstance;
  /**
   * The port `http` listens on. When it differs from config.healthPort (HEALTH_PORT), health and
   * metrics get their own internal server there instead of sharing the public one.
   */
  publicPort?: (config: C) => number;
  /** Wires handlers, clients and background work; returns what tests may look into. */
  setup(ctx: ServiceContext<C>): Promise<P> | P;
  /** Extra fields for the "listening" log line. */
  describe?: (config: C) => Record<string, unknown>;
}

/** A running service: the runtime, its config, what `setup` returned, and `close()`. */
export type ServiceApp<C extends BaseConfig, P extends object> = Omit<ServiceRuntime, 'config'> &
  P & {
    config: C;
    /** Runs the ordered shutdown (the same one SIGTERM runs). */
    close(): Promise<void>;
  };

/** The running app type of a definition: `type ChatApp = AppOf<typeof chatService>`. */
export type AppOf<D> = D extends ServiceDefinition<infer C, infer P> ? ServiceApp<C, P> : never;

export interface StartOptions {
  /** Tests pass a silent or recording logger. */
  logger?: Logger;
}

/** Declares a service; the identity function that makes the definition's types checked in one place. */
export function defineService<C extends BaseConfig, P extends object>(def: ServiceDefinition<C, P>): ServiceDefinition<C, P> {
  return def;
}

/**
 * Builds a service without listening, so tests can run it (several of it) in-process. With
 * Redis, start-up waits a little for it before handlers join their queue groups: joining early
 * would make this instance answer its share with DEPENDENCY_DOWN while peers could serve them;
 * never joining would turn a Redis outage at start into a crash loop.
 */
export async function startService<C extends BaseConfig, P extends object>(
  def: ServiceDefinition<C, P>,
  config: C,
  opts: StartOptions = {},
): Promise<ServiceApp<C, P>> {
  const logger =
    opts.logger ?? createLogger({ service: config.service, instanceId: config.instanceId, level: config.logLevel, pretty: config.logPretty });
  const runtime = await createServiceRuntime({ config, useRedis: def.redis, logger, http: def.http?.(logger, config), publicPort: def.publicPort?.(config) });
  const { bus } = runtime;
  if (def.redis && runtime.redis) {
    const waitMs = def.redisStartWaitMs?.(config) ?? REDIS_START_WAIT_MS;
    const ready = await redisReady(runtime.redis, waitMs);
    if (!ready) logger.warn({ waitedMs: waitMs }, 'redis not ready; serving anyway (requests get DEPENDENCY_DOWN until it is)');
    if (def.durableRedis) {
      const policy = { production: config.production, requireAof: config.redisRequireAof, logger };
      if (ready) {
        try {
          await checkRedisDurability(runtime.redis, policy);
        } catch (err) {
          await runtime.shutdown.run('refused: redis without AOF');
          throw err;
        }
      }
      watchRedisDurability(runtime.redis, policy);
    }
  }
  // Made on first use: a service that serves nothing (the gateway) registers no handler metrics.
  let made: HandlerMetrics | undefined;
  const handlerMetrics = () => (made ??= createHandlerMetrics(runtime.metrics, def.metricPrefix));
  const ctx: ServiceContext<C> = {
    config,
    logger,
    metrics: runtime.metrics,
    bus,
    redis: runtime.redis as Redis,
    http: runtime.http,
    runtime,
    serve: (reqDef, handler) => bus.serve(reqDef, instrumentRequest(shortType(reqDef.type), handler, { metrics: handlerMetrics(), logger })),
    consume: (evDef, params, handler, subOpts) => bus.subscribe(evDef, params, instrumentEvent(evDef.type, handler, { metrics: handlerMetrics(), logger }), subOpts),
    ensureStream: (streamDef) => ensureOwnStream(runtime, streamDef),
    consumeDurable: (streamDef, durable, evDef, handler, durableOpts) => consumeDurable(runtime, streamDef, durable, evDef, handler, durableOpts),
    client: (calls, clientOpts) =>
      createServiceClient(bus, calls, RETRY_PRESETS, { ...clientOpts, breaker: { logger, metrics: runtime.metrics, registry: runtime.breakers } }),
  };
  const parts = await def.setup(ctx);
  // The server knows our subscriptions once this returns: a request sent right after start
  // (a restarted instance, a test) finds a responder instead of NO_RESPONDERS.
  await bus.flush();
  return Object.assign(runtime, parts, { config, close: () => runtime.shutdown.run('close') }) as unknown as ServiceApp<C, P>;
}

/** `chat.send` → `send`: the request's name within its service, the label of its metrics. */
function shortType(type: string): string {
  const dot = type.indexOf('.');
  return dot < 0 ? type : type.slice(dot + 1);
}

/**
 * The whole of a service's main.ts: read the config (a bad value refuses to start, naming the
 * variable), start, install the signal and crash guards, listen, log where.
 */
export function runService<C extends BaseConfig, P extends object>(def: ServiceDefinition<C, P>, readConfig: () => C): void {
  const main = async () => {
    const app = await startService(def, readConfig());
    installProcessGuards(app.shutdown, app.logger);
    const port = await app.listen();
    app.logger.info({ port, ...def.describe?.(app.config) }, `${def.name} listening`);
  };
  main().catch((err: unknown) => {
    // The logger may not exist yet: start-up failed before it was made.
    const why = err instanceof ConfigError ? `configuration: ${err.message}` : ((err as Error).stack ?? String(err));
    process.stderr.write(`${def.name} refuses to start: ${why}\n`);
    process.exit(1);
  });
}
