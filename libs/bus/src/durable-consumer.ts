/**
 * A durable JetStream pull consumer: every instance of a role binds the same durable, so they
 * split the stream's messages, and what arrives while none runs waits in the stream. Each message
 * is acknowledged only after its handler succeeded; a failure is retried with backoff, a message
 * that cannot be parsed is terminated at once (it would fail the same way every time).
 */
import { AckPolicy, DeliverPolicy, nanos, type ConsumerConfig, type ConsumerMessages, type JsMsg, type MsgHdrs, type NatsConnection } from 'nats';
import { wildcardFor, type DurableConsumerDef, type EventDef, type StreamDef } from '@relay/contracts';
import type { BusLogger } from './bus';
import { CONSUMER_NOT_FOUND, jetStreamErrorCode } from './streams';

/** What happened to one delivered message, for metrics. */
export type DurableOutcome = 'acked' | 'retried' | 'gave_up' | 'poison';

/** A parsed message, or why it cannot be. */
export type ParsedDelivery<D, M> = { ok: true; data: D; meta: M } | { ok: false; reason: string };

export interface DurableConsumerOptions<D, M> {
  nc: NatsConnection;
  stream: StreamDef;
  consumer: DurableConsumerDef;
  /** The event this consumer reads; a stream of several events is filtered to its subjects. */
  event: EventDef;
  parse(msg: JsMsg): ParsedDelivery<D, M>;
  /** Resolves when the message is handled for good; throwing asks for a redelivery. */
  handle(data: D, meta: M, delivery: { count: number; headers: MsgHdrs | undefined }): Promise<void>;
  logger: BusLogger & { info?(obj: object, msg?: string): void };
  /** Messages handled at the same time by this instance. */
  concurrency?: number;
  onOutcome?: (outcome: DurableOutcome) => void;
  /** First wait before binding again after a failure (stream not there yet, NATS away); doubles up to 5 s. */
  retryMs?: number;
}

const RETRY_MAX_MS = 5000;
const NAK_BASE_MS = 500;
const NAK_MAX_MS = 30_000;

/** The redelivery delay after the `count`-th failed delivery: 0.5 s, 1 s, 2 s … at most 30 s. */
export function nakDelayMs(count: number): number {
  return Math.min(NAK_MAX_MS, NAK_BASE_MS * 2 ** Math.max(0, count - 1));
}

/** The consumer configuration every instance asks for. */
export function consumerConfig(stream: StreamDef, consumer: DurableConsumerDef, event: EventDef): Partial<ConsumerConfig> {
  return {
    durable_name: consumer.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    max_deliver: consumer.maxDeliver,
    ack_wait: nanos(consumer.ackWaitMs),
    ...(stream.events.length > 1 ? { filter_subject: wildcardFor(event.subject) } : {}),
  };
}

export class DurableConsumer<D, M> {
  private stopped = false;
  private messages: ConsumerMessages | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private loop: Promise<void> | undefined;
  private readyWaiters: Array<() => void> = [];
  private bound = false;
  private wake: (() => void) | undefined;

  constructor(private readonly opts: DurableConsumerOptions<D, M>) {}

  /** Binds in the background (retrying until the stream exists) and consumes until stop(). */
  start(): void {
    this.loop ??= this.run();
  }

  /** Resolves once the durable is bound and pulling: what arrives from now on, or waited before, is delivered. */
  ready(): Promise<void> {
    if (this.bound) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Stops pulling and waits for the messages being handled; the rest stays in the stream. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    this.messages?.stop();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  private async run(): Promise<void> {
    let wait = this.opts.retryMs ?? 250;
    while (!this.stopped) {
      try {
        await this.consumeUntilEnd();
        wait = this.opts.retryMs ?? 250;
      } catch (err) {
        if (this.stopped) break;
        this.opts.logger.warn({ err, stream: this.opts.stream.name, durable: this.opts.consumer.durable, retryMs: wait }, 'durable consumer not bound; retrying');
      }
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, wait).unref();
      });
      wait = Math.min(RETRY_MAX_MS, wait * 2);
    }
  }

  private async consumeUntilEnd(): Promise<void> {
    const { nc, stream, consumer } = this.opts;
    await this.bind();
    const js = nc.jetstream();
    const c = await js.consumers.get(stream.name, consumer.durable);
    const concurrency = this.opts.concurrency ?? 8;
    const messages = await c.consume({ max_messages: concurrency * 2 });
    this.messages = messages;
    if (this.stopped) messages.stop();
    this.bound = true;
    for (const w of this.readyWaiters.splice(0)) w();
    for await (const msg of messages) {
      if (this.stopped) {
        // Pulled but not started: back to the stream at once, for another instance.
        msg.nak();
        continue;
      }
      const job = this.deliver(msg).finally(() => this.inFlight.delete(job));
      this.inFlight.add(job);
      if (this.inFlight.size >= concurrency) await Promise.race(this.inFlight);
    }
    if (!this.stopped) throw new Error('consumer stopped delivering');
  }

  /** Makes sure the durable exists with the declared settings (create, or update what changed). */
  private async bind(): Promise<void> {
    const { nc, stream, consumer, event } = this.opts;
    const jsm = await nc.jetstreamManager({ checkAPI: false });
    const wanted = consumerConfig(stream, consumer, event);
    try {
      const current = (await jsm.consumers.info(stream.name, consumer.durable)).config;
      const same = current.max_deliver === wanted.max_deliver && current.ack_wait === wanted.ack_wait && (current.filter_subject ?? '') === (wanted.filter_subject ?? '');
      if (!same) await jsm.consumers.update(stream.name, consumer.durable, { max_deliver: wanted.max_deliver, ack_wait: wanted.ack_wait, filter_subject: wanted.filter_subject });
    } catch (err) {
      if (jetStreamErrorCode(err) !== CONSUMER_NOT_FOUND) throw err;
      await jsm.consumers.add(stream.name, wanted);
      this.opts.logger.info?.({ stream: stream.name, durable: consumer.durable }, 'durable consumer created');
    }
  }

  /** Never rejects: whatever goes wrong with one message is logged, and the stream keeps it. */
  private async deliver(msg: JsMsg): Promise<void> {
    const where = { stream: this.opts.stream.name, durable: this.opts.consumer.durable, subject: msg.subject, streamSeq: msg.seq };
    try {
      await this.settle(msg, where);
    } catch (err) {
      // An ack or nak that could not be sent (connection closing): the server redelivers after ack_wait.
      this.opts.logger.warn({ ...where, err }, 'durable message not settled; the server redelivers it');
    }
  }

  private async settle(msg: JsMsg, where: Record<string, unknown>): Promise<void> {
    const { logger, onOutcome, consumer } = this.opts;
    const parsed = this.opts.parse(msg);
    if (!parsed.ok) {
      // Would fail the same way on every delivery: terminated, logged and counted, never retried.
      // (No reason on the wire: servers before 2.10.4 do not read `+TERM <reason>` as a term.)
      msg.term();
      logger.error({ ...where, reason: parsed.reason }, 'durable message cannot be parsed; terminated');
      onOutcome?.('poison');
      return;
    }
    const count = msg.info.deliveryCount;
    try {
      await this.opts.handle(parsed.data, parsed.meta, { count, headers: msg.headers });
    } catch (err) {
      if (count >= consumer.maxDeliver) {
        msg.term();
        logger.error({ ...where, err, deliveries: count }, 'durable message failed every delivery; given up');
        onOutcome?.('gave_up');
        return;
      }
      const delay = nakDelayMs(count);
      msg.nak(delay);
      logger.warn({ ...where, err, deliveries: count, retryInMs: delay }, 'durable message handler failed; redelivered later');
      onOutcome?.('retried');
      return;
    }
    msg.ack();
    onOutcome?.('acked');
  }
}
