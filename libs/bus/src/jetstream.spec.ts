import { connect, type NatsConnection } from 'nats';
import { startNats, type TestNats, uniqueName, waitFor } from '@relay/testing';
import { MentionStream, newId, RoomMention, UserOnline, type MentionEvent } from '@relay/contracts';
import { Bus, type MessageMeta } from './bus';
import { consumerConfig, nakDelayMs, type DurableOutcome } from './durable-consumer';
import { ensureStream, streamConfig, type StreamSettings } from './streams';

const silent = { warn: () => undefined, error: () => undefined };
const SETTINGS: StreamSettings = { maxAgeSec: 3600, maxBytes: 64 * 1024 * 1024, replicas: 1 };

describe('jetstream', () => {
  let nats: TestNats;
  let nc: NatsConnection;
  let bus: Bus;

  beforeAll(async () => {
    nats = await startNats();
    nc = await connect({ servers: nats.url });
    bus = new Bus(nc, { source: 'test/jetstream', logger: silent });
  });

  afterAll(async () => {
    await nc?.close();
    await nats?.close();
  });

  const event = (over: Partial<MentionEvent> = {}): MentionEvent => ({
    room: 'lobby',
    messageId: newId(),
    seq: 1,
    from: uniqueName('alice'),
    mentioned: [uniqueName('bob')],
    text: 'hi',
    ts: 1,
    ...over,
  });
  const publish = (data: MentionEvent, id = `mention-${data.messageId}`) =>
    bus.publishDurable({ def: RoomMention, params: { room: data.room }, data, identity: { id, time: data.ts } }, { timeoutMs: 3000 });

  it('jetstream - the stream config carries the declared subjects, file storage, limits and duplicate window', () => {
    const c = streamConfig(MentionStream, SETTINGS);
    expect(c).toMatchObject({ name: 'CHAT_MENTIONS', subjects: ['chat.v1.room.*.mention'], storage: 'file', discard: 'old', max_bytes: SETTINGS.maxBytes, num_replicas: 1 });
    expect(c.max_age).toBe(3600 * 1e9);
    expect(c.duplicate_window).toBe(MentionStream.duplicateWindowMs * 1e6);
  });

  it('jetstream - ensureStream creates, leaves an unchanged stream alone and applies changed limits', async () => {
    expect(await ensureStream(nc, MentionStream, SETTINGS)).toBe('created');
    expect(await ensureStream(nc, MentionStream, SETTINGS)).toBe('unchanged');
    expect(await ensureStream(nc, MentionStream, { ...SETTINGS, maxAgeSec: 7200 })).toBe('updated');
    const info = await (await nc.jetstreamManager()).streams.info('CHAT_MENTIONS');
    expect(info.config.max_age).toBe(7200 * 1e9);
    expect(await ensureStream(nc, MentionStream, SETTINGS)).toBe('updated');
  });

  it('jetstream - publishDurable is acked once stored; the same envelope id again is a duplicate', async () => {
    const data = event();
    const first = await publish(data);
    expect(first.duplicate).toBe(false);
    const again = await publish(data);
    expect(again).toEqual({ streamSeq: first.streamSeq, duplicate: true });
  });

  it('jetstream - publishDurable refuses data that breaks the contract, before sending', async () => {
    await expect(publish(event({ mentioned: [] }))).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('jetstream - the durable consumer delivers what was stored before it started, retries a failure with backoff, terminates a malformed message', async () => {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.purge('CHAT_MENTIONS');
    const a = event({ text: 'a' });
    const b = event({ text: 'b' });
    await publish(a);
    await nc.jetstream().publish('chat.v1.room.lobby.mention', new TextEncoder().encode('{"not":"an envelope"}'));
    await publish(b);

    const handled: Array<{ text: string; count: number; meta: MessageMeta }> = [];
    const outcomes: DurableOutcome[] = [];
    let failB = true;
    const consumer = bus.consumeDurable(
      MentionStream,
      'notification-service',
      RoomMention,
      async (data, meta, delivery) => {
        if (data.text === 'b' && failB) {
          failB = false;
          throw new Error('first try fails');
        }
        handled.push({ text: data.text, count: delivery.count, meta });
      },
      { onOutcome: (o) => outcomes.push(o) },
    );
    await consumer.ready();
    await waitFor(() => handled.length === 2, { what: 'both handled', timeoutMs: 10000 });
    expect(handled.map((h) => [h.text, h.count]).sort()).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(handled[0].meta.source).toBe('test/jetstream');
    await waitFor(() => outcomes.filter((o) => o === 'acked').length === 2, { what: 'two acks' });
    expect(outcomes.filter((o) => o === 'poison')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'retried')).toHaveLength(1);
    await consumer.stop();
    // Acks are processed by the server apart from API calls: wait for them to land.
    const info = await waitFor(
      async () => {
        const i = await jsm.consumers.info('CHAT_MENTIONS', 'notification-service');
        return i.num_pending === 0 && i.num_ack_pending === 0 ? i : undefined;
      },
      { what: 'nothing pending or unacknowledged' },
    );
    expect(info.config).toMatchObject(consumerConfig(MentionStream, MentionStream.consumers[0], RoomMention));
  });

  it('jetstream - a stopped consumer leaves later messages in the stream for the next one', async () => {
    const c1 = bus.consumeDurable(MentionStream, 'notification-service', RoomMention, async () => undefined);
    await c1.ready();
    await c1.stop();
    const later = event({ text: 'later' });
    await publish(later);
    const got: string[] = [];
    const c2 = bus.consumeDurable(MentionStream, 'notification-service', RoomMention, async (d) => {
      got.push(d.messageId);
    });
    await waitFor(() => got.length === 1, { what: 'the later message' });
    expect(got).toEqual([later.messageId]);
    await c2.stop();
  });

  it('jetstream - a consumer started before its stream exists binds once the stream is created', async () => {
    await (await nc.jetstreamManager()).streams.delete('CHAT_MENTIONS');
    const got: string[] = [];
    const c = bus.consumeDurable(MentionStream, 'notification-service', RoomMention, async (d) => {
      got.push(d.text);
    });
    await ensureStream(nc, MentionStream, SETTINGS);
    await c.ready();
    await publish(event({ text: 'after create' }));
    await waitFor(() => got.length === 1, { what: 'delivery after the stream appeared' });
    await c.stop();
  });

  it('jetstream - the redelivery delay doubles from 0.5 s up to 30 s', () => {
    expect([1, 2, 3, 4, 10].map(nakDelayMs)).toEqual([500, 1000, 2000, 4000, 30_000]);
  });

  it('jetstream - consumeDurable refuses an event its stream does not keep, and a durable the stream does not declare', () => {
    expect(() => bus.consumeDurable(MentionStream, 'notification-service', UserOnline, async () => undefined)).toThrow(/does not keep/);
    expect(() => bus.consumeDurable(MentionStream, 'nobody', RoomMention, async () => undefined)).toThrow(/declares no consumer/);
  });
});
