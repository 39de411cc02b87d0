import { ChatController } from './chat-controller';
import type { ChatMessage, ClientFrame, ServerFrame } from './frames';
import { RequestError, type ProtocolClient } from './protocol-client';

type Request = Exclude<ClientFrame, { type: 'typing' | 'ping' }>;

/** A stand-in for the socket: answers requests from a script and records them. */
class FakeClient {
  online = true;
  readonly requests: Request[] = [];
  readonly notified: ClientFrame[] = [];
  constructor(private readonly answer: (f: Request) => ServerFrame | RequestError) {}
  async request(frame: Request): Promise<ServerFrame> {
    this.requests.push(frame);
    const reply = this.answer(frame);
    if (reply instanceof RequestError) throw reply;
    return reply;
  }
  notify(frame: ClientFrame): void {
    this.notified.push(frame);
  }
}

const msg = (seq: number, room = 'lobby'): ChatMessage => ({ room, id: `id${seq}`, seq, from: 'bob', text: `m${seq}`, ts: seq });
const flush = () => new Promise((r) => setTimeout(r, 0));

function setup(answer: (f: Request) => ServerFrame | RequestError) {
  const toasts: string[] = [];
  const controller = new ChatController({ changed: () => undefined, toast: (t) => toasts.push(t) });
  const client = new FakeClient(answer);
  controller.attach(client as unknown as ProtocolClient);
  return { controller, client, toasts };
}

describe('chat-controller', () => {
  it('chat-controller - a fresh join loads the latest page and the presence list', async () => {
    const { controller, client } = setup((f) => {
      if (f.type === 'join') return { type: 'joined', room: f.room, seq: 3 };
      if (f.type === 'history') return { type: 'history', room: f.room, messages: [msg(1), msg(2), msg(3)] };
      if (f.type === 'presence') return { type: 'presence', room: f.room, users: ['alice', 'bob'] };
      throw new Error(`unexpected ${f.type}`);
    });
    await controller.join('lobby');
    const room = controller.state.room('lobby');
    expect(client.requests[0]).toEqual({ type: 'join', room: 'lobby' });
    expect(client.requests[1]).toEqual({ type: 'history', room: 'lobby', before: 4, limit: 50 });
    expect(room.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect([...room.members]).toEqual(['alice', 'bob']);
    expect(room.hasOlder).toBe(false);
  });

  it('chat-controller - a short history page (large messages) is not taken for the start of the room', async () => {
    const { controller } = setup((f) => {
      if (f.type === 'join') return { type: 'joined', room: f.room, seq: 90 };
      if (f.type === 'history') return { type: 'history', room: f.room, messages: [msg(88), msg(89), msg(90)] };
      if (f.type === 'presence') return { type: 'presence', room: f.room, users: ['alice'] };
      throw new Error(`unexpected ${f.type}`);
    });
    await controller.join('lobby');
    expect(controller.state.room('lobby').hasOlder).toBe(true);
  });

  it('chat-controller - after a reconnect it rejoins with since = last seq and shows replayed messages once', async () => {
    let latest = 2;
    const { controller, client } = setup((f) => {
      if (f.type === 'join') return { type: 'joined', room: f.room, seq: latest, ...(f.since !== undefined ? { recovered: true } : {}) };
      if (f.type === 'history') return { type: 'history', room: f.room, messages: [msg(1), msg(2)] };
      return { type: 'presence', room: f.room, users: ['alice'] };
    });
    await controller.join('lobby');
    latest = 4;
    client.requests.length = 0;
    controller.resync();
    await flush();
    expect(client.requests[0]).toEqual({ type: 'join', room: 'lobby', since: 2 });
    // The gateway replays 3..4; a live copy of 4 arrives too and is dropped.
    for (const m of [msg(3), msg(4), msg(4)]) controller.handleFrame({ type: 'message', ...m });
    expect(controller.state.room('lobby').messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(client.requests.some((r) => r.type === 'history')).toBe(false);
  });

  it('chat-controller - recovered:false clears the room and pages the latest history instead', async () => {
    let reconnected = false;
    const { controller, client } = setup((f) => {
      if (f.type === 'join') return reconnected ? { type: 'joined', room: f.room, seq: 2000, recovered: false } : { type: 'joined', room: f.room, seq: 2 };
      if (f.type === 'history') return { type: 'history', room: f.room, messages: reconnected ? [msg(1999), msg(2000)] : [msg(1), msg(2)] };
      return { type: 'presence', room: f.room, users: [] };
    });
    await controller.join('lobby');
    reconnected = true;
    client.requests.length = 0;
    controller.resync();
    await flush();
    await flush();
    expect(client.requests.find((r) => r.type === 'history')).toEqual({ type: 'history', room: 'lobby', before: 2001, limit: 50 });
    expect(controller.state.room('lobby').messages.map((m) => m.seq)).toEqual([1999, 2000]);
  });

  it('chat-controller - a send cut off by a disconnect is resent with the same clientMsgId after rejoin', async () => {
    let connected = true;
    const { controller, client } = setup((f) => {
      if (f.type === 'send') return connected ? { type: 'sent', room: f.room, id: 'id9', seq: 9, ts: 9 } : new RequestError('DISCONNECTED', 'connection lost');
      if (f.type === 'join') return { type: 'joined', room: f.room, seq: 8, recovered: f.since !== undefined ? true : undefined };
      if (f.type === 'history') return { type: 'history', room: f.room, messages: [] };
      return { type: 'presence', room: f.room, users: [] };
    });
    await controller.join('lobby');
    connected = false;
    controller.send('hello');
    await flush();
    const room = controller.state.room('lobby');
    expect(room.visiblePending()).toHaveLength(1);
    connected = true;
    controller.resync();
    await flush();
    await flush();
    const sends = client.requests.filter((r) => r.type === 'send');
    expect(sends).toHaveLength(2);
    expect(sends[0]).toEqual(sends[1]);
    expect(room.pending[0].id).toBe('id9');
    controller.handleFrame({ type: 'message', room: 'lobby', id: 'id9', seq: 9, from: 'alice', text: 'hello', ts: 9 });
    expect(room.visiblePending()).toHaveLength(0);
  });

  it('chat-controller - a refused send is marked failed and reported, not retried', async () => {
    const { controller, client, toasts } = setup((f) => {
      if (f.type === 'send') return new RequestError('BAD_REQUEST', 'text too long');
      if (f.type === 'join') return { type: 'joined', room: f.room, seq: 0 };
      return { type: 'presence', room: f.room, users: [] };
    });
    await controller.join('lobby');
    controller.send('x');
    await flush();
    expect(controller.state.room('lobby').pending[0].failed).toBe('text too long');
    expect(toasts.join()).toContain('BAD_REQUEST');
    controller.resync();
    await flush();
    expect(client.requests.filter((r) => r.type === 'send')).toHaveLength(1);
  });

  it('chat-controller - typing is throttled and notifications are shown once', async () => {
    const { controller, client, toasts } = setup((f) => (f.type === 'join' ? { type: 'joined', room: f.room, seq: 0 } : { type: 'presence', room: f.room, users: [] }));
    await controller.join('lobby');
    controller.typing();
    controller.typing();
    expect(client.notified).toEqual([{ type: 'typing', room: 'lobby' }]);
    const note = { type: 'notification' as const, id: 'n1', kind: 'mention', from: 'bob', room: 'lobby', text: 'hi @alice', ts: 1 };
    controller.handleFrame(note);
    controller.handleFrame(note);
    expect(controller.state.notifications).toHaveLength(1);
    expect(toasts).toHaveLength(1);
  });
});
