import { ChatHistory, ChatJoin, ChatSend, isContractError } from '@relay/contracts';
import { type Bus, type MessageMeta } from '@relay/bus';
import type { Logger } from '@relay/service-kit';
import type { Subscription } from '@relay/bus';
import type { ChatHandlers } from './chat-handlers';
import type { ChatMetrics, ChatRequestType } from './chat-metrics';
import { isChatError } from './errors';

export interface ServeChatDeps {
  bus: Bus;
  handlers: ChatHandlers;
  metrics: ChatMetrics;
  logger: Logger;
}

/**
 * Answers the chat requests in the catalog's queue group (`chat-service`), so any number of
 * instances share the work and each request is served once.
 */
export function serveChat(deps: ServeChatDeps): Subscription[] {
  const { bus, handlers } = deps;
  return [
    bus.serve(ChatSend, instrument(deps, 'send', handlers.send)),
    bus.serve(ChatHistory, instrument(deps, 'history', handlers.history)),
    bus.serve(ChatJoin, instrument(deps, 'join', handlers.join)),
  ];
}

/** Metrics and logs with the correlation id around one handler. */
function instrument<Q extends { room: string }, R>(
  deps: ServeChatDeps,
  type: ChatRequestType,
  handler: (req: Q, meta: MessageMeta) => Promise<R>,
): (req: Q, meta: MessageMeta) => Promise<R> {
  const { metrics, logger } = deps;
  return async (req, meta) => {
    const stop = metrics.requestSeconds.startTimer({ type });
    try {
      const reply = await handler(req, meta);
      metrics.requests.inc({ type, outcome: 'ok' });
      return reply;
    } catch (err) {
      const code = isContractError(err) ? err.code : 'INTERNAL';
      metrics.requests.inc({ type, outcome: code });
      metrics.errors.inc({ code: isChatError(err) ? err.serviceCode : code });
      const context = { err, correlationId: meta.correlationId, type, room: req.room };
      // Anything else is logged by Bus.serve, with the correlation id, as INTERNAL.
      if (isContractError(err) && err.retryable) {
        logger.warn({ ...context, cause: (err.cause as Error | undefined)?.message }, 'chat request failed: dependency');
      } else if (isContractError(err)) {
        logger.debug(context, 'chat request refused');
      }
      throw err;
    } finally {
      stop();
    }
  };
}
