import type { ChatMessage } from '@relay/contracts';
import type { ServiceClients } from './service-clients';

/** The largest page ChatHistory serves. */
const PAGE_LIMIT = 100;

/**
 * Messages `from..to` of a room, read from history backwards in pages: a page may hold fewer
 * than asked (large messages fill the reply budget), so it pages on with `before` until it
 * reaches `from`, however many pages the range takes. The room sequencer treats a seq this does
 * not return as gone from the store, so stopping early would skip stored messages. Each page
 * moves `before` down by at least one seq, so the loop ends; it stops early only when history
 * has nothing older (trimmed) or a page makes no progress.
 */
export async function fetchHistoryRange(
  services: Pick<ServiceClients, 'chatHistory'>,
  room: string,
  from: number,
  to: number,
): Promise<ChatMessage[]> {
  const pages: ChatMessage[][] = [];
  let before = to + 1;
  while (before > from) {
    const { messages } = await services.chatHistory({ room, before, limit: Math.min(PAGE_LIMIT, before - from) });
    if (messages.length === 0 || messages[0].seq >= before) break;
    pages.push(messages.filter((m) => m.seq >= from && m.seq < before));
    before = messages[0].seq;
  }
  return pages.reverse().flat();
}
