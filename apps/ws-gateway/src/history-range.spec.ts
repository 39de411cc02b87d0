import type { ChatMessage } from '@relay/contracts';
import { fetchHistoryRange } from './history-range';

/** A room history of seqs first..last whose pages hold at most `pageMax` messages (the reply budget). */
function history(first: number, last: number, pageMax: number) {
  const log: ChatMessage[] = Array.from({ length: last - first + 1 }, (_x, i) => ({ room: 'r', id: `m${first + i}`, seq: first + i, from: 'a', text: 't', ts: 1 }));
  const asked: Array<{ before?: number; limit: number }> = [];
  const chatHistory = async (req: { room: string; before?: number; limit: number }) => {
    asked.push({ before: req.before, limit: req.limit });
    const older = log.filter((m) => m.seq < (req.before ?? Infinity));
    return { messages: older.slice(Math.max(0, older.length - Math.min(req.limit, pageMax))) };
  };
  return { services: { chatHistory }, asked };
}

describe('history range', () => {
  it('history range - a hole of many small pages is read whole, however many pages it takes', async () => {
    const { services, asked } = history(1, 3000, 30);
    const got = await fetchHistoryRange(services, 'r', 501, 2500);
    expect(got.map((m) => m.seq)).toEqual(Array.from({ length: 2000 }, (_x, i) => 501 + i));
    expect(asked).toHaveLength(Math.ceil(2000 / 30));
    expect(asked[0]).toEqual({ before: 2501, limit: 100 });
  });

  it('history range - a trimmed history ends the read at its oldest message', async () => {
    const { services, asked } = history(1001, 1200, 100);
    const got = await fetchHistoryRange(services, 'r', 900, 1100);
    expect(got.map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_x, i) => 1001 + i));
    // The last page came back empty: nothing older, so no further request.
    expect(asked.map((a) => a.before)).toEqual([1101, 1001]);
  });

  it('history range - a page that does not go back (a misbehaving store) ends the read instead of looping', async () => {
    const stuck = { chatHistory: jest.fn(async () => ({ messages: [{ room: 'r', id: 'm9', seq: 9, from: 'a', text: 't', ts: 1 }] })) };
    const got = await fetchHistoryRange(stuck, 'r', 1, 5);
    expect(got).toEqual([]);
    expect(stuck.chatHistory).toHaveBeenCalledTimes(1);
  });
});
