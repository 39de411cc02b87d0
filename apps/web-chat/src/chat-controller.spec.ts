/** The page's behaviour against a scripted stand-in for RelayClient: no socket, no DOM. */
import { RelayError, type ChatMessage, type JoinResult, type RelayEvents } from '@relay/client';
import { ChatController, type ChatClient } from './chat-controller';

type Call = { op: string; room?: string; before?: number; limit?: number; text?: string };
type Script = {
  join?: (room: string) => JoinResult | RelayError;
  history?: (room: string, before?: number) => ChatMessage[];
  presence?: (room: string) => string[];
  send?: (room: string, text: string) => { id: string; seq: number } | RelayError;
};

/** A stand-in for RelayClient: answers from a script, records calls, and lets tests fire its events. */
class FakeClient {
  readonly calls: Call[] = [];
  private readonly listeners = new Map<string, ((...a: unknown[]) => void)[]>();
  constructor(private readonly script: Script) {}

  on<K extends keyof RelayEvents>(event: K, fn: (...args: RelayEvents[K]) => void): () => void {
    const list = this.listeners.get(event) ?? [];
    list.push(fn as (...a: unknown[]) => void);
    this.listeners.set(event, list);
    return () => undefined;
  }
  emit<K extends keyof RelayEvents>(event: K, ...args: RelayEvents[K]): void {
    for (const fn of this.listeners.get(event) ?? []) fn(...args);
  }
  async join(room: string): Promise<JoinResult> {
    this.calls.push({ op: 'join', room });
    const r = this.script.join?.(room) ?? joined(room, 0);
    if (r instanceof RelayError) throw r;
    return r;
  }
  async leave(room: string): Promise<void> {
    this.calls.push({ op: 'leave', room });
  }
  async history(room: string, opts: { before?: number; limit?: number } = {}): Promise<ChatMessage[]> {
    this.calls.push({ op: 'history', room, ...opts });
    return this.script.history?.(room, opts.before) ?? [];
  }
  async presence(room: string): Promise<string[]> {
    this.calls.push({ op: 'presence', room });
    return this.script.presence?.(room) ?? [];
  }
  async send(room: string, text: string) {
    this.calls.push({ op: 'send', room, text });
    const r = this.script.send?.(room, text) ?? { id: 'x', seq: 1 };
    if (r instanceof RelayError) throw r;
    return { room, ts: 1, clientMsgId: 'c', ...r };
  }
  typing(room: string): boolean {
    this.calls.push({ op: 'typing', room });
    return true;
  }
}

const msg = (seq: number, room = 'lobby'): ChatMessage => ({ room, id: `id${seq}`, seq, from: 'bob', text: `m${seq}`, ts: seq });
const joined = (room: string, seq: number, extra: Partial<JoinResult> = {}): JoinResult => ({ room, seq, epochChanged: false, rejoin: false, ...extra });
const flush = () => new Promise((r) => setTimeout(r, 0));

function setup(script: Script) {
  const toasts: string[] = [];
  const controller = new ChatController({ changed: () => undefined, toast: (t) => toasts.push(t) });
  const client = new FakeClient(script);
  controller.attach(client as unknown as ChatClient);
  return { controller, client, toasts };
}

describe('chat-controller', () => {
  it('chat-controller - a fresh join loads the latest page and the presence list', async () => {
    const { controller, client } = setup({ join: (r) => joined(r, 3), history: () => [msg(1), msg(2), msg(3)], presence: () => ['alice', 'bob'] });
    await controller.join('lobby');
    const room = controller.state.room('lobby');
    expect(client.calls.slice(0, 2)).toEqual([
      { op: 'join', room: 'lobby' },
      { op: 'history', room: 'lobby', before: 4, limit: 50 },
    ]);
    expect(room.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect([...room.members]).toEqual(['alice', 'bob']);
    expect(room.hasOlder).toBe(false);
  });

  it('chat-controller - a short history page (large messages) is not taken for the start of the room', async () => {
    const { controller } = setup({ join: (r) => joined(r, 90), history: () => [msg(88), msg(89), msg(90)] });
    await controller.join('lobby');
    expect(controller.state.room('lobby').hasOlder).toBe(true);
  });

  it('chat-controller - a recovered rejoin shows the replayed messages and refreshes presence without paging history', async () => {
    const { controller, client } = setup({ join: (r) => joined(r, 2), history: () => [msg(1), msg(2)], presence: () => ['alice'] });
    await controller.join('lobby');
    client.calls.length = 0;
    client.emit('joined', joined('lobby', 4, { recovered: true, rejoin: true }));
    for (const m of [msg(3), msg(4)]) client.emit('message', { type: 'message', ...m });
    await flush();
    expect(controller.state.room('lobby').messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(client.calls).toEqual([{ op: 'presence', room: 'lobby' }]);
  });

  it('chat-controller - recovered:false clears the room and pages the latest history instead', async () => {
    let reconnected = false;
    const { controller, client } = setup({ join: (r) => joined(r, 2), history: () => (reconnected ? [msg(1999), msg(2000)] : [msg(1), msg(2)]) });
    await controller.join('lobby');
    reconnected = true;
    client.calls.length = 0;
    client.emit('joined', joined('lobby', 2000, { recovered: false, rejoin: true }));
    await flush();
    expect(client.calls.find((c) => c.op === 'history')).toEqual({ op: 'history', room: 'lobby', before: 2001, limit: 50 });
    expect(controller.state.room('lobby').messages.map((m) => m.seq)).toEqual([1999, 2000]);
  });

  it('chat-controller - a sent message leaves the pending list once it comes back', async () => {
    const { controller, client } = setup({ send: () => ({ id: 'id9', seq: 9 }) });
    await controller.join('lobby');
    controller.send('hello');
    const room = controller.state.room('lobby');
    expect(room.visiblePending()).toHaveLength(1);
    await flush();
    expect(room.pending[0].id).toBe('id9');
    client.emit('message', { type: 'message', room: 'lobby', id: 'id9', seq: 9, from: 'alice', text: 'hello', ts: 9 });
    expect(room.visiblePending()).toHaveLength(0);
  });

  it('chat-controller - a refused send is marked failed and reported', async () => {
    const { controller, toasts } = setup({ send: () => new RelayError('BAD_REQUEST', 'text too long') });
    await controller.join('lobby');
    controller.send('x');
    await flush();
    expect(controller.state.room('lobby').pending[0].failed).toBe('text too long');
    expect(toasts.join()).toContain('BAD_REQUEST');
  });

  it('chat-controller - typing is throttled and notifications are shown once', async () => {
    const { controller, client, toasts } = setup({});
    await controller.join('lobby');
    controller.typing();
    controller.typing();
    expect(client.calls.filter((c) => c.op === 'typing')).toEqual([{ op: 'typing', room: 'lobby' }]);
    const note = { type: 'notification' as const, id: 'n1', kind: 'mention', from: 'bob', room: 'lobby', text: 'hi @alice', ts: 1 };
    client.emit('notification', note);
    client.emit('notification', note);
    expect(controller.state.notifications).toHaveLength(1);
    expect(toasts).toHaveLength(1);
  });

  it('chat-controller - server errors are toasted, connection errors are left to the status badge', async () => {
    const { client, toasts } = setup({});
    client.emit('error', new RelayError('CONNECT_FAILED', 'cannot connect'));
    client.emit('error', new RelayError('RATE_LIMITED', 'slow down'));
    expect(toasts).toEqual(['RATE_LIMITED: slow down']);
  });

  it('chat-controller - a busy service on the first join is retried', async () => {
    jest.useFakeTimers();
    try {
      let busy = true;
      const { controller, client } = setup({ join: (r) => (busy ? new RelayError('SERVICE_UNAVAILABLE', 'busy', { retryAfterMs: 500 }) : joined(r, 0)) });
      await controller.join('lobby');
      busy = false;
      await jest.advanceTimersByTimeAsync(500);
      expect(client.calls.filter((c) => c.op === 'join')).toHaveLength(2);
    } finally {
      jest.useRealTimers();
    }
  });
});
