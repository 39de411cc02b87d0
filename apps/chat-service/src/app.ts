/**
 * chat-service: rooms' messages (per-room seq, history, idempotency by clientMsgId), answering
 * ChatSend, ChatHistory, ChatJoin and ChatPositions in its queue group. Built by the service kit like every service.
 */
import { ChatHistory, ChatJoin, ChatPositions, ChatSend, MentionStream } from '@relay/contracts';
import { defineService, startService, type AppOf, type ServiceContext, type StartOptions } from '@relay/service-kit';
import { createChatHandlers } from './chat-handlers';
import { SERVICE_NAME, type ChatConfig } from './config';
import { MentionPublisher } from './mention-publisher';
import { MessageStore } from './message-store';
import { createChatMetrics } from './metrics';

export const chatService = defineService({
  name: SERVICE_NAME,
  metricPrefix: 'relay_chat',
  redis: true,
  // Acknowledged data lives in Redis: no AOF, no start in production.
  durableRedis: true,
  async setup(ctx: ServiceContext<ChatConfig>) {
    const { config } = ctx;
    const chatMetrics = createChatMetrics(ctx.metrics);
    const store = new MessageStore(ctx.redis, {
      historyMaxPerRoom: config.historyMaxPerRoom,
      clientMsgIdTtlSec: config.clientMsgIdTtlSec,
      observeAppend: (seconds) => chatMetrics.storeSeconds.observe(seconds),
    });
    await ctx.ensureStream(MentionStream);
    const mentions = new MentionPublisher({ bus: ctx.bus, logger: ctx.logger, metrics: chatMetrics, ackTimeoutMs: config.requestTimeoutMs });
    // After the requests in flight are answered, before NATS drains: their mention events get their acks.
    ctx.runtime.afterRequests('mention events', () => mentions.idle());
    const handlers = createChatHandlers({ store, bus: ctx.bus, logger: ctx.logger, metrics: chatMetrics, textMaxChars: config.textMaxChars, mentions });
    // The catalog's queue group (`chat-service`): any number of instances share the work.
    ctx.serve(ChatSend, handlers.send);
    ctx.serve(ChatHistory, handlers.history);
    ctx.serve(ChatJoin, handlers.join);
    ctx.serve(ChatPositions, handlers.positions);
    return { store, chatMetrics, mentions };
  },
});

/** The running service, and what `setup` returned (tests look into it). */
export type ChatApp = AppOf<typeof chatService>;

/** Builds the service without listening, so tests can run it in-process. */
export const buildApp = (config: ChatConfig, opts: StartOptions = {}): Promise<ChatApp> => startService(chatService, config, opts);
