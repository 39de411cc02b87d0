import { ChatHistory, ChatJoin, ChatSend } from '@relay/contracts';
import { startNats, startRedis, uniqueName, type TestNats, type TestRedis } from '@relay/testing';
import type { ChatApp } from '../src/app';
import { connectClient, REQ, startChat, type TestClient } from './harness';

const seqs = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('chat history and join', () => {
  let nats: TestNats;
  let redis: TestRedis;
  let app: ChatApp;
  let client: TestClient;
  /** A room with 30 messages, seq 1..30. */
  let room: string;

  beforeAll(async () => {
    [nats, redis] = await Promise.all([startNats(), startRedis()]);
    app = await startChat(nats.url, redis.url);
    client = await connectClient(nats.url);
    room = uniqueName('room');
    for (let i = 1; i <= 30; i++) await client.bus.request(ChatSend, { room, user: 'alice', text: `m${i}` }, REQ);
  });

  afterAll(async () => {
    await client?.close();
    await app?.shutdown.run('test done');
    await Promise.all([nats?.close(), redis?.close()]);
  });

  it('history - pages backwards with an exclusive before, each page ascending', async () => {
    const page = (before: number | undefined, limit: number) =>
      client.bus.request(ChatHistory, before === undefined ? { room, limit } : { room, before, limit }, REQ);
    const latest = await page(undefined, 10);
    expect(latest.messages.map((m) => m.seq)).toEqual(seqs(21, 30));
    expect(latest.messages[0]).toEqual({ room, id: expect.any(String), seq: 21, from: 'alice', text: 'm21', ts: expect.any(Number), epoch: expect.any(String) });
    expect((await page(21, 10)).messages.map((m) => m.seq)).toEqual(seqs(11, 20));
    expect((await page(11, 10)).messages.map((m) => m.seq)).toEqual(seqs(1, 10));
    expect((await page(4, 10)).messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect((await page(1, 10)).messages).toEqual([]);
    expect((await page(1000, 2)).messages.map((m) => m.seq)).toEqual([29, 30]);
  });

  it('history - an empty room has no messages', async () => {
    expect(await client.bus.request(ChatHistory, { room: uniqueName('empty'), limit: 50 }, REQ)).toEqual({ messages: [] });
  });

  it('join - without since gives the latest seq and no messages; an empty room is seq 0', async () => {
    expect(await client.bus.request(ChatJoin, { room, cap: 1000 }, REQ)).toEqual({ seq: 30, epoch: expect.any(String), messages: [] });
    expect(await client.bus.request(ChatJoin, { room: uniqueName('empty'), cap: 1000 }, REQ)).toEqual({ seq: 0, epoch: expect.any(String), messages: [] });
  });

  it('join - with since recovers exactly since+1..latest, up to the cap inclusive', async () => {
    const r = await client.bus.request(ChatJoin, { room, since: 25, cap: 1000 }, REQ);
    expect(r.recovered).toBe(true);
    expect(r.seq).toBe(30);
    expect(r.messages.map((m) => m.seq)).toEqual(seqs(26, 30));
    const atCap = await client.bus.request(ChatJoin, { room, since: 20, cap: 10 }, REQ);
    expect([atCap.recovered, atCap.messages.map((m) => m.seq)]).toEqual([true, seqs(21, 30)]);
    expect(await client.bus.request(ChatJoin, { room, since: 30, cap: 10 }, REQ)).toEqual({ seq: 30, epoch: expect.any(String), recovered: true, messages: [] });
    const fromStart = await client.bus.request(ChatJoin, { room, since: 0, cap: 1000 }, REQ);
    expect(fromStart.messages.map((m) => m.seq)).toEqual(seqs(1, 30));
  });

  it('join - since above the latest seq is not recovered', async () => {
    expect(await client.bus.request(ChatJoin, { room, since: 31, cap: 1000 }, REQ)).toEqual({ seq: 30, epoch: expect.any(String), recovered: false, messages: [] });
  });

  it('join - a gap larger than the cap is not recovered', async () => {
    expect(await client.bus.request(ChatJoin, { room, since: 19, cap: 10 }, REQ)).toEqual({ seq: 30, epoch: expect.any(String), recovered: false, messages: [] });
    expect(await client.bus.request(ChatJoin, { room, since: 29, cap: 0 }, REQ)).toEqual({ seq: 30, epoch: expect.any(String), recovered: false, messages: [] });
  });

  it('join - a negative since is BAD_REQUEST', async () => {
    const reply = await client.raw(ChatJoin.subject, 'chat.join', { room, since: -1, cap: 10 });
    expect(reply).toEqual({ ok: false, error: expect.objectContaining({ code: 'BAD_REQUEST' }) });
  });

  describe('large messages', () => {
    /** 100 messages of 4,000 emoji: 1.6 MB, more than one NATS message may carry. */
    let big: string;
    const text = '😀'.repeat(4000);

    beforeAll(async () => {
      big = uniqueName('big');
      await Promise.all(Array.from({ length: 100 }, () => client.bus.request(ChatSend, { room: big, user: 'alice', text }, REQ)));
    });

    it('history - regression: a page of 100 large messages crashed the service; now it holds the newest that fit', async () => {
      const page = await client.bus.request(ChatHistory, { room: big, limit: 100 }, REQ);
      expect(page.messages.length).toBeGreaterThan(10);
      expect(page.messages.length).toBeLessThan(100);
      const seqsGot = page.messages.map((m) => m.seq);
      expect(seqsGot).toEqual(seqs(101 - seqsGot.length, 100));
      // Paging on with `before` reaches the first message with nothing skipped.
      let before = seqsGot[0];
      const all = [...seqsGot];
      while (before > 1) {
        const older = await client.bus.request(ChatHistory, { room: big, before, limit: 100 }, REQ);
        all.unshift(...older.messages.map((m) => m.seq));
        before = older.messages[0].seq;
      }
      expect(all).toEqual(seqs(1, 100));
    });

    it('join - regression: a large replay crashed the service; now it comes in parts marked `more`', async () => {
      const got: number[] = [];
      let since = 0;
      let parts = 0;
      for (;;) {
        const reply = await client.bus.request(ChatJoin, { room: big, since, cap: 1000 }, REQ);
        expect(reply.recovered).toBe(true);
        got.push(...reply.messages.map((m) => m.seq));
        parts++;
        if (!reply.more) break;
        since = reply.messages[reply.messages.length - 1].seq;
      }
      expect(parts).toBeGreaterThan(1);
      expect(got).toEqual(seqs(1, 100));
    });
  });
});
