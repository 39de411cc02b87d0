/**
 * The one way services use JetStream: the owner of a stream ensures it at start-up, a consumer
 * reads through its declared durable. Both built on @relay/bus (streams.ts, durable-consumer.ts).
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { ensureStream, type DurableConsumer, type MessageMeta } from '@relay/bus';
import type { EventDef, StreamDef } from '@relay/contracts';
import type { EventHandler } from './handler-metrics';
import type { ServiceRuntime } from './service-runtime';

/** A running durable consumer: `ready()` once bound and pulling (tests wait on it). */
export interface DurableSubscription {
  ready(): Promise<void>;
  stop(): Promise<void>;
}

const ENSURE_RETRY_MAX_MS = 30_000;

/** See ServiceContext.ensureStream. */
export async function ensureOwnStream(runtime: ServiceRuntime, def: StreamDef): Promise<void> {
  const { config, logger, nc } = runtime;
  if (def.owner !== config.service) throw new Error(`${config.service} does not own stream ${def.name} (${def.owner} does)`);
  const settings = config.streams[def.name];
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  runtime.onStop(`stream ${def.name}`, () => {
    stopped = true;
    clearTimeout(timer);
  });
  const attempt = async (waitMs: number): Promise<void> => {
    try {
      const outcome = await ensureStream(nc, def, settings);
      logger.info({ stream: def.name, outcome, ...settings }, 'stream ensured');
    } catch (err) {
      if (stopped) return;
      const next = Math.min(ENSURE_RETRY_MAX_MS, waitMs * 2);
      logger.error({ err, stream: def.name, retryMs: next }, 'stream could not be ensured; its events are not stored until it is (is JetStream on?)');
      timer = setTimeout(() => void attempt(next), next);
      timer.unref();
    }
  };
  await attempt(500);
}

/** See ServiceContext.consumeDurable. */
export function consumeDurable<T extends string, S extends TSchema>(
  runtime: ServiceRuntime,
  stream: StreamDef,
  durable: string,
  def: EventDef<T, S>,
  handler: EventHandler<Static<S>>,
  opts: { concurrency?: number } = {},
): DurableSubscription {
  const { bus, logger, metrics } = runtime;
  const labels = { stream: stream.name, durable };
  const consumer: DurableConsumer<Static<S>, MessageMeta> = bus.consumeDurable(
    stream,
    durable,
    def,
    async (data, meta, delivery) => {
      const log = logger.child({ correlationId: meta.correlationId, type: def.type, delivery: delivery.count });
      await handler(data, meta, log);
    },
    { concurrency: opts.concurrency, logger, onOutcome: (outcome) => metrics.durableMessages.inc({ ...labels, outcome }) },
  );
  return { ready: () => consumer.ready(), stop: () => consumer.stop() };
}
