import { connect, ErrorCode, headers, type Msg, type NatsConnection } from 'nats';
import { startNats, type TestNats, uniqueName } from '@relay/testing';
import { RequestMux } from './request-mux';

const enc = new TextEncoder();
const dec = new TextDecoder();

describe('request mux', () => {
  let nats: TestNats;
  let nc: NatsConnection;
  let responder: NatsConnection;
  const afterCleanup: Array<() => void> = [];

  afterEach(() => afterCleanup.splice(0).forEach((f) => f()));

  beforeAll(async () => {
    nats = await startNats();
    nc = await connect({ servers: nats.url, inboxPrefix: '_INBOX_MUXTEST' });
    responder = await connect({ servers: nats.url });
  });

  afterAll(async () => {
    await nc?.close();
    await responder?.close();
    await nats?.close();
  });

  /** Answers each request on `subject` with what `answer` makes of it. */
  function serve(subject: string, answer: (m: Msg) => string): () => void {
    const sub = responder.subscribe(subject, { callback: (_, m) => m.respond(enc.encode(answer(m))) });
    return () => sub.unsubscribe();
  }

  it('request mux - concurrent requests each get their own answer, over one reply subscription under the inbox prefix', async () => {
    const subject = uniqueName('mux.echo');
    const replyTo: string[] = [];
    // Answered in reverse order on purpose: later requests overtake earlier ones on the way back.
    const sub = responder.subscribe(subject, {
      callback: (_, m) => {
        replyTo.push(m.reply ?? '');
        setTimeout(() => m.respond(enc.encode(`re:${dec.decode(m.data)}`)), 50 - Number(dec.decode(m.data)));
      },
    });
    await responder.flush();
    const mux = new RequestMux(nc);
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => mux.request(subject, enc.encode(String(i)), undefined, 5000)));
    expect(answers.map((m) => dec.decode(m.data))).toEqual(Array.from({ length: 50 }, (_, i) => `re:${i}`));
    expect(new Set(replyTo).size).toBe(50);
    const prefixes = new Set(replyTo.map((r) => r.slice(0, r.lastIndexOf('.'))));
    expect(prefixes.size).toBe(1);
    expect([...prefixes][0]).toMatch(/^_INBOX_MUXTEST\./);
    expect(mux.size).toBe(0);
    sub.unsubscribe();
  });

  it('request mux - no responders fails at once with nats.js code 503, not by timeout', async () => {
    const mux = new RequestMux(nc);
    const started = Date.now();
    await expect(mux.request(uniqueName('mux.nobody'), enc.encode('x'), undefined, 30_000)).rejects.toMatchObject({ code: ErrorCode.NoResponders });
    // Far below the timeout: the server's 503 answered it.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(mux.size).toBe(0);
  });

  it('request mux - a timeout fails the request; its late answer is dropped and the next request still works', async () => {
    const subject = uniqueName('mux.slow');
    // The first request is held until the test releases it, after its timeout.
    let release!: () => void;
    const lateSent = new Promise<void>((sent) => {
      release = () => undefined;
      const sub = responder.subscribe(subject, {
        callback: (_, m) => {
          const body = dec.decode(m.data);
          if (body !== 'late') return void m.respond(enc.encode(body));
          release = () => {
            m.respond(enc.encode('late'));
            void responder.flush().then(sent);
          };
        },
      });
      afterCleanup.push(() => sub.unsubscribe());
    });
    await responder.flush();
    const mux = new RequestMux(nc);
    await expect(mux.request(subject, enc.encode('late'), undefined, 50)).rejects.toMatchObject({ code: ErrorCode.Timeout });
    expect(mux.size).toBe(0);
    const next = mux.request(subject, enc.encode('next'), undefined, 5000);
    // The late answer goes out while the next request waits; it must not settle that one.
    release();
    await lateSent;
    await nc.flush();
    expect(dec.decode((await next).data)).toBe('next');
    expect(mux.size).toBe(0);
  });

  it('request mux - a closing connection fails what waits at once, and a request on a closed connection fails', async () => {
    const own = await connect({ servers: nats.url });
    const subject = uniqueName('mux.never');
    const silent = responder.subscribe(subject, { callback: () => undefined });
    await responder.flush();
    const mux = new RequestMux(own);
    const waiting = mux.request(subject, enc.encode('x'), undefined, 60_000);
    await own.flush();
    await own.close();
    await expect(waiting).rejects.toMatchObject({ code: ErrorCode.ConnectionClosed });
    await expect(mux.request(subject, enc.encode('y'), undefined, 60_000)).rejects.toMatchObject({ code: ErrorCode.ConnectionClosed });
    expect(mux.size).toBe(0);
    silent.unsubscribe();
  });

  it('request mux - headers travel with the request', async () => {
    const subject = uniqueName('mux.headers');
    const stop = serve(subject, (m) => m.headers?.get('x-test') ?? 'none');
    await responder.flush();
    const h = headers();
    h.set('x-test', 'carried');
    const answer = await new RequestMux(nc).request(subject, enc.encode(''), h, 5000);
    expect(dec.decode(answer.data)).toBe('carried');
    stop();
  });
});

describe('request mux - timeouts against a blocked event loop', () => {
  /** A connection that records what is published and lets the test deliver replies, as the poll phase would. */
  function fakeConnection() {
    let deliver: ((err: Error | null, msg: Msg) => void) | undefined;
    const published: Array<{ subject: string; reply?: string }> = [];
    const nc = {
      subscribe: (_subject: string, opts: { callback: (err: Error | null, msg: Msg) => void }) => {
        deliver = opts.callback;
        return { unsubscribe: () => undefined };
      },
      publish: (subject: string, _data: Uint8Array, opts?: { reply?: string }) => void published.push({ subject, reply: opts?.reply }),
      closed: () => new Promise(() => undefined),
    } as unknown as NatsConnection;
    const answer = (reply: string, body: string) => deliver?.(null, { subject: reply, data: enc.encode(body) } as Msg);
    return { nc, published, answer };
  }

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('request mux - an answer read in the same iteration as its due timeout wins: the process was blocked, the target was not silent', async () => {
    const { nc, published, answer } = fakeConnection();
    const mux = new RequestMux(nc);
    const request = mux.request('svc.op', enc.encode('x'), undefined, 100);
    // The process was blocked past the timeout: the timer is due and the answer sits in the socket.
    jest.advanceTimersByTime(100);
    // libuv's poll phase, after the timers phase, reads the answer.
    answer(published[0].reply ?? '', 'in time');
    jest.runOnlyPendingTimers();
    await expect(request).resolves.toMatchObject({ data: enc.encode('in time') });
    expect(mux.size).toBe(0);
  });

  it('request mux - with no answer by the end of that iteration it is a timeout', async () => {
    const { nc, published, answer } = fakeConnection();
    const mux = new RequestMux(nc);
    const request = mux.request('svc.op', enc.encode('x'), undefined, 100);
    jest.advanceTimersByTime(100);
    jest.runOnlyPendingTimers();
    await expect(request).rejects.toMatchObject({ code: ErrorCode.Timeout });
    // A later answer finds nothing waiting.
    answer(published[0].reply ?? '', 'late');
    expect(mux.size).toBe(0);
  });
});
