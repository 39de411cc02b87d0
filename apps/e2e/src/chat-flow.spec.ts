import { TestStack, uniqueName, waitFor, type Frame } from '@relay/testing';

/** Subjects the gateway with this instance id has subscribed, from NATS monitoring. */
async function gatewaySubjects(stack: TestStack, gatewayIndex: number): Promise<string[]> {
  const res = await fetch(`${stack.nats.monitorUrl}/connz?subs=1&limit=1000`);
  const body = (await res.json()) as { connections: Array<{ name?: string; subscriptions_list?: string[] }> };
  const port = stack.gateways[gatewayIndex].port;
  const conn = body.connections.find((c) => c.name?.endsWith(`-${port}`) && c.name.startsWith('gw-'));
  // The request-reply inbox (`_INBOX.<id>.*`) is the only wildcard a gateway may hold.
  return (conn?.subscriptions_list ?? []).filter((s) => !s.startsWith('_INBOX.'));
}

const seqsOf = (frames: Frame[]) => frames.map((f) => f.seq as number);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('chat across gateways', () => {
  let stack: TestStack;

  const connect = (user: string, gatewayIndex = 0) => stack.connect(user, gatewayIndex);

  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 2, chat: 2 });
  }, 90000);

  afterAll(async () => {
    await stack?.close();
  });

  it('chat - members on both gateways get every message exactly once in seq order, the sender included', async () => {
    const room = uniqueName('room');
    const a = await connect('alice', 0);
    const b = await connect('bob', 1);
    const c = await connect('carol', 1);
    for (const x of [a, b, c]) expect(await x.request({ type: 'join', room })).toMatchObject({ type: 'joined', seq: 0 });
    const n = 20;
    for (let i = 0; i < n; i++) {
      const sender = [a, b, c][i % 3];
      expect(await sender.request({ type: 'send', room, text: `m${i}` })).toMatchObject({ type: 'sent', seq: i + 1 });
    }
    for (const x of [a, b, c]) {
      const got = await x.collect((f) => f.type === 'message' && f.room === room, n);
      expect(seqsOf(got)).toEqual(range(1, n));
      expect(got.map((f) => f.text)).toEqual(range(0, n - 1).map((i) => `m${i}`));
    }
    await a.request({ type: 'ping' });
    await b.request({ type: 'ping' });
    for (const x of [a, b, c]) expect(x.received((f) => f.type === 'message' && f.room === room)).toHaveLength(n);
  });

  it('chat - many clients sending at once get contiguous seqs, and everyone sees them in order', async () => {
    const room = uniqueName('room');
    const senders = await Promise.all(range(1, 8).map((i) => connect(`s${i}`, i % 2)));
    const watcher = await connect('watcher', 0);
    for (const s of [...senders, watcher]) await s.request({ type: 'join', room });
    const perSender = 5;
    const replies = await Promise.all(
      senders.map(async (s, i) => {
        const out: Frame[] = [];
        const pending = range(1, perSender).map((k) => s.request({ type: 'send', room, text: `${i}-${k}` }, 10000));
        for (const p of pending) out.push(await p);
        return out;
      }),
    );
    const seqs = replies.flat().map((r) => {
      expect(r.type).toBe('sent');
      return r.seq as number;
    });
    const total = senders.length * perSender;
    expect([...seqs].sort((x, y) => x - y)).toEqual(range(1, total));
    const seen = await watcher.collect((f) => f.type === 'message' && f.room === room, total, 15000);
    expect(seqsOf(seen)).toEqual(range(1, total));
  });

  it('chat - a retry with the same clientMsgId stores once, even through the other gateway', async () => {
    const room = uniqueName('room');
    const a0 = await connect('dave', 0);
    const a1 = await connect('dave', 1);
    await a0.request({ type: 'join', room });
    await a1.request({ type: 'join', room });
    const first = await a0.request({ type: 'send', room, text: 'once', clientMsgId: 'retry-1' });
    const again = await a1.request({ type: 'send', room, text: 'once', clientMsgId: 'retry-1' });
    expect(first).toMatchObject({ type: 'sent', seq: 1 });
    expect(again).toMatchObject({ type: 'sent', id: first.id, seq: 1 });
    // The same id in another room is a new message.
    const other = uniqueName('room');
    await a0.request({ type: 'join', room: other });
    expect(await a0.request({ type: 'send', room: other, text: 'once', clientMsgId: 'retry-1' })).toMatchObject({ type: 'sent', seq: 1 });
    const history = await a0.request({ type: 'history', room });
    expect(history.messages).toHaveLength(1);
    await a0.request({ type: 'send', room, text: 'next' });
    const live = await a1.collect((f) => f.type === 'message' && f.room === room, 2);
    expect(seqsOf(live)).toEqual([1, 2]);
  });

  it('chat - history pages backwards with before and limit', async () => {
    const room = uniqueName('room');
    const a = await connect('erin', 1);
    await a.request({ type: 'join', room });
    for (let i = 1; i <= 12; i++) await a.request({ type: 'send', room, text: `h${i}` });
    const latest = await a.request({ type: 'history', room, limit: 5 });
    expect(seqsOf(latest.messages as Frame[])).toEqual([8, 9, 10, 11, 12]);
    const page2 = await a.request({ type: 'history', room, before: 8, limit: 5 });
    expect(seqsOf(page2.messages as Frame[])).toEqual([3, 4, 5, 6, 7]);
    const page3 = await a.request({ type: 'history', room, before: 3, limit: 5 });
    expect(seqsOf(page3.messages as Frame[])).toEqual([1, 2]);
    expect((page3.messages as Frame[])[0]).toMatchObject({ room, seq: 1, from: 'erin', text: 'h1', id: expect.any(String), ts: expect.any(Number) });
    expect(await a.request({ type: 'history', room, limit: 101 })).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
  });

  it('chat - recovery across a gateway switch with live traffic during the rejoin: no gap, no duplicate', async () => {
    const room = uniqueName('room');
    const writer = await connect('writer', 1);
    await writer.request({ type: 'join', room });
    const reader = await connect('reader', 0);
    await reader.request({ type: 'join', room });
    let stop = false;
    let written = 0;
    const writing = (async () => {
      while (!stop) {
        const r = await writer.request({ type: 'send', room, text: `w${written + 1}` }, 10000);
        if (r.type === 'sent') written++;
        await new Promise((res) => setTimeout(res, 60));
      }
    })();
    const before = await reader.collect((f) => f.type === 'message' && f.room === room, 5, 10000);
    await reader.close();
    const lastSeen = before.at(-1)?.seq as number;
    // Messages keep coming while the reader is away and while it rejoins on the other gateway.
    await waitFor(() => written >= lastSeen + 5, { what: 'messages while away' });
    const moved = await connect('reader', 1);
    const joined = await moved.request({ type: 'join', room, since: lastSeen });
    expect(joined).toMatchObject({ type: 'joined', recovered: true });
    await waitFor(() => written >= (joined.seq as number) + 5, { what: 'live messages after the rejoin' });
    stop = true;
    await writing;
    const after = await moved.collect((f) => f.type === 'message' && f.room === room, written - lastSeen, 15000);
    expect([...seqsOf(before), ...seqsOf(after)]).toEqual(range(1, written));
    await moved.request({ type: 'ping' });
    expect(moved.received((f) => f.type === 'message' && f.room === room)).toHaveLength(written - lastSeen);
  });

  it('chat - a gateway receives no traffic for rooms it has no member in', async () => {
    const room = uniqueName('room');
    const a = await connect('fay', 0);
    await a.request({ type: 'join', room });
    await waitFor(async () => (await gatewaySubjects(stack, 0)).includes(`chat.v1.room.${room}.message`), { what: 'gateway 0 subscribed' });
    expect((await gatewaySubjects(stack, 1)).filter((s) => s.includes(room))).toEqual([]);
    // No wildcard over rooms (a gateway's one wildcard is over users' notification subjects).
    expect((await gatewaySubjects(stack, 1)).some((s) => s.startsWith('chat.') && (s.includes('*') || s.includes('>')))).toBe(false);
    await a.request({ type: 'send', room, text: 'only gw 0' });
    const b = await connect('gus', 1);
    await b.request({ type: 'join', room });
    await waitFor(async () => (await gatewaySubjects(stack, 1)).includes(`chat.v1.room.${room}.message`), { what: 'gateway 1 subscribed' });
    await b.request({ type: 'leave', room });
    await waitFor(async () => !(await gatewaySubjects(stack, 1)).some((s) => s.includes(room)), { what: 'gateway 1 unsubscribed' });
  });

  it('chat - breaker: chat-service stopped is SERVICE_UNAVAILABLE fast, then sends work again without a gateway restart', async () => {
    const room = uniqueName('room');
    const a = await connect('hal', 0);
    await a.request({ type: 'join', room });
    expect(await a.request({ type: 'send', room, text: 'before' })).toMatchObject({ type: 'sent', seq: 1 });
    const gatewayPid = stack.gateways[0].pid;
    await Promise.all(stack.chat.map((c) => c.stop()));
    const down = await a.request({ type: 'send', room, text: 'down' }, 5000);
    expect(down).toMatchObject({ type: 'error', code: 'SERVICE_UNAVAILABLE' });
    // Failures open the breaker once they pass half of the calls in its rolling window (the
    // earlier tests' successes are still in it); then it answers without asking NATS.
    await waitFor(
      async () => {
        const r = await a.request({ type: 'history', room }, 5000);
        expect(r).toMatchObject({ type: 'error', code: 'SERVICE_UNAVAILABLE' });
        const readyz = (await (await fetch(`${stack.httpUrl(0)}/readyz`)).json()) as { breakers: Record<string, string> };
        return readyz.breakers['chat-service'] === 'open';
      },
      { what: 'the chat breaker to open', timeoutMs: 20000, intervalMs: 100 },
    );
    const t0 = performance.now();
    expect(await a.request({ type: 'send', room, text: 'open' })).toMatchObject({ type: 'error', code: 'SERVICE_UNAVAILABLE' });
    const openMs = performance.now() - t0;
    await Promise.all(stack.chat.map((c) => c.start()));
    const sent = await waitFor(
      async () => {
        const r = await a.request({ type: 'send', room, text: 'after' }, 5000);
        return r.type === 'sent' ? r : undefined;
      },
      { what: 'send to work again', timeoutMs: 20000, intervalMs: 250 },
    );
    expect(sent).toMatchObject({ type: 'sent', seq: 2 });
    expect(stack.gateways[0].pid).toBe(gatewayPid);
    expect(openMs).toBeLessThan(1000);
  });
});
