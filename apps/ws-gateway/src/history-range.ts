import type { ChatMessage } from '@relay/contracts';
import type { ServiceClients } from './service-clients';

/** Enough pages for any hole a room sequencer may ask to fill (100 per page). */
const MAX_PAGES = 20;

/**
 * Messages `from..to` of a room, read from history backwards in pages: a page may hold fewer
 * than asked (large messages), so it pages on with `before` until it reaches `from`.
 */
export async function fetchHistoryRange(
  services: Pick<ServiceClients, 'chatHistory'>,
  room: string,
  from: number,
  to: number,
): Promise<ChatMessage[]> {
  const out: ChatMessage[] = [];
  let before = to + 1;
  for (let page = 0; page < MAX_PAGES && before > from; page++) {
    const { messages } = await services.chatHistory({ room, before, limit: Math.min(100, before - from) });
    if (messages.length === 0) break;
    out.unshift(...messages.filter((m) => m.seq >= from));
    before = messages[0].seq;
  }
  return out;
}
