/**
 * Request/reply over one inbox subscription per connection, as nats.js's own request does, without
 * its per-request costs: nats.js settles every request through a RequestOne that, after the reply
 * has resolved it, still builds a "Cancelled" NatsError (an Error with a stack trace) to reject the
 * settled promise with, plus a timer wrapper and a deferred. That error alone was 2.1-2.4 % of a
 * gateway's time at light load and 2 % of it in a connection storm (docs/benchmarks.md). Here a
 * request is one map entry, one timer and one promise.
 *
 * Same wire behaviour: the reply subject is `<inbox>.<token>` under the connection's inbox prefix
 * (the per-service NATS permissions allow exactly that), and "no responders" is the server's 503
 * status message, which it sends because nats.js announces `no_responders` when it connects.
 * One difference: a request the server refuses to route for lack of publish permission fails by
 * its timeout here, not at once (nats.js matches the asynchronous permission error by subject).
 */
import { createInbox, ErrorCode, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from 'nats';

/** Why a request failed; `code` is nats.js's ErrorCode, so callers map both the same way. */
export class RequestFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RequestFailure';
  }
}

interface Pending {
  resolve: (msg: Msg) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** nats.js keeps the connection's options (inboxPrefix among them) on the connection object. */
function inboxPrefixOf(nc: NatsConnection): string | undefined {
  return (nc as unknown as { options?: { inboxPrefix?: string } }).options?.inboxPrefix;
}

export class RequestMux {
  private readonly pending = new Map<string, Pending>();
  /** `<inbox prefix>.<random>.`: a token appended names one request. */
  private readonly base: string;
  private sub?: Subscription;
  private next = 0;

  constructor(private readonly nc: NatsConnection) {
    this.base = `${createInbox(inboxPrefixOf(nc))}.`;
  }

  /** Publishes with a reply subject of this mux; settles with the reply, or fails by timeout, no responders or close. */
  request(subject: string, data: Uint8Array, headers: MsgHdrs | undefined, timeoutMs: number): Promise<Msg> {
    const token = (this.next++).toString(36);
    return new Promise<Msg>((resolve, reject) => {
      try {
        // Subscribed on first use, before the first publish: the SUB reaches the server first.
        this.sub ??= this.subscribe();
      } catch (err) {
        reject(err as Error);
        return;
      }
      const timer = setTimeout(() => {
        // Decided after this iteration's I/O, not in the timers phase: when this process was
        // blocked (a long GC, a starved CPU) past the timeout, the answer may be waiting in the
        // socket. libuv runs timers before it polls, so rejecting here would call it a timeout,
        // and a breaker would count a target that answered in time as silent.
        setImmediate(() => this.settle(token)?.reject(new RequestFailure(ErrorCode.Timeout, 'timeout')));
      }, timeoutMs);
      this.pending.set(token, { resolve, reject, timer });
      try {
        this.nc.publish(subject, data, headers ? { reply: this.base + token, headers } : { reply: this.base + token });
      } catch (err) {
        // Closed or draining connection, payload over max_payload: fails now, not by timeout.
        this.settle(token)?.reject(err as Error);
      }
    });
  }

  /** Requests waiting for a reply; nothing must stay behind once each has settled (the tests read it). */
  get size(): number {
    return this.pending.size;
  }

  private subscribe(): Subscription {
    const sub = this.nc.subscribe(`${this.base}*`, {
      callback: (err, msg) => {
        if (err) this.failAll(new RequestFailure(ErrorCode.Unknown, `reply subscription failed: ${err.message}`));
        else this.answer(msg);
      },
    });
    // Nothing can answer once the connection is closed: fail what waits now rather than by timeout.
    void this.nc.closed().then(() => this.failAll(new RequestFailure(ErrorCode.ConnectionClosed, 'connection closed')));
    return sub;
  }

  private answer(msg: Msg): void {
    // An answer after the timeout (or a second one) finds nothing and is dropped.
    const waiting = this.settle(msg.subject.slice(this.base.length));
    if (!waiting) return;
    if (msg.data.length === 0 && msg.headers?.code === 503) waiting.reject(new RequestFailure(ErrorCode.NoResponders, 'no responders'));
    else waiting.resolve(msg);
  }

  private settle(token: string): Pending | undefined {
    const waiting = this.pending.get(token);
    if (!waiting) return undefined;
    this.pending.delete(token);
    clearTimeout(waiting.timer);
    return waiting;
  }

  private failAll(err: RequestFailure): void {
    for (const token of [...this.pending.keys()]) this.settle(token)?.reject(err);
  }
}
