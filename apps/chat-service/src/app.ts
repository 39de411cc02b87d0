import { createServiceRuntime, redisReady, type Logger, type ServiceRuntime } from '@relay/service-kit';
import { createChatHandlers } from './chat-handlers';
import { createChatMetrics, type ChatMetrics } from './chat-metrics';
import type { ChatConfig } from './config';
import { MessageStore } from './message-store';
import { serveChat } from './serve-chat';

/** The runtime plus what tests look into. */
export interface ChatApp extends ServiceRuntime {
  config: ChatConfig;
  store: MessageStore;
  chatMetrics: ChatMetrics;
}

/**
 * How long start-up waits for Redis before joining the queue group anyway. Joining early would
 * make this instance answer its share of requests with DEPENDENCY_DOWN while its peers could
 * serve them; never joining would turn a Redis outage at start into a crash loop.
 */
const REDIS_START_WAIT_MS = 5000;

export interface BuildOptions {
  /** Tests pass a logger that records lines. */
  logger?: Logger;
}

/** Builds the service without listening, so tests can run it in-process. */
export async function buildApp(config: ChatConfig, opts: BuildOptions = {}): Promise<ChatApp> {
  const runtime = await createServiceRuntime({ config, useRedis: true, logger: opts.logger });
  if (!runtime.redis) throw new Error('chat-service needs Redis but the runtime has no client');
  const chatMetrics = createChatMetrics(runtime.metrics);
  const store = new MessageStore(runtime.redis, {
    historyMaxPerRoom: config.historyMaxPerRoom,
    clientMsgIdTtlSec: config.clientMsgIdTtlSec,
    observeAppend: (seconds) => chatMetrics.storeSeconds.observe(seconds),
  });
  const handlers = createChatHandlers({ store, bus: runtime.bus, logger: runtime.logger, metrics: chatMetrics, textMaxChars: config.textMaxChars });
  if (!(await redisReady(runtime.redis, REDIS_START_WAIT_MS))) {
    runtime.logger.warn({ waitedMs: REDIS_START_WAIT_MS }, 'redis not ready; serving anyway (requests get DEPENDENCY_DOWN until it is)');
  }
  serveChat({ bus: runtime.bus, handlers, metrics: chatMetrics, logger: runtime.logger });

  return { ...runtime, config, store, chatMetrics };
}
