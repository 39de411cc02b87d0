/**
 * chat-service: rooms' messages (per-room seq, history, idempotency by clientMsgId), answering
 * ChatSend, ChatHistory and ChatJoin in its queue group. Built by the service kit like every service.
 */
import { ChatHistory, ChatJoin, ChatSend } from '@relay/contracts';
import { defineService, startService, type ServiceApp, type StartOptions } from '@relay/service-kit';
import { createChatHandlers } from './chat-handlers';
import { SERVICE_NAME, type ChatConfig } from './config';
import { MessageStore } from './message-store';
import { createChatMetrics, type ChatMetrics } from './metrics';

/** What tests look into besides the runtime. */
export interface ChatParts {
  store: MessageStore;
  chatMetrics: ChatMetrics;
}

export type ChatApp = ServiceApp<ChatConfig, ChatParts>;

export const chatService = defineService<ChatConfig, ChatParts>({
  name: SERVICE_NAME,
  metricPrefix: 'relay_chat',
  redis: true,
  setup(ctx) {
    const { config } = ctx;
    const chatMetrics = createChatMetrics(ctx.metrics);
    const store = new MessageStore(ctx.redis, {
      historyMaxPerRoom: config.historyMaxPerRoom,
      clientMsgIdTtlSec: config.clientMsgIdTtlSec,
      observeAppend: (seconds) => chatMetrics.storeSeconds.observe(seconds),
    });
    const handlers = createChatHandlers({ store, bus: ctx.bus, logger: ctx.logger, metrics: chatMetrics, textMaxChars: config.textMaxChars });
    // The catalog's queue group (`chat-service`): any number of instances share the work.
    ctx.serve(ChatSend, handlers.send);
    ctx.serve(ChatHistory, handlers.history);
    ctx.serve(ChatJoin, handlers.join);
    return { store, chatMetrics };
  },
});

/** Builds the service without listening, so tests can run it in-process. */
export const buildApp = (config: ChatConfig, opts: StartOptions = {}): Promise<ChatApp> => startService(chatService, config, opts);
