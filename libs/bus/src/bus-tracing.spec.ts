import { connect, type Msg, type NatsConnection } from 'nats';
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { startNats, type TestNats, uniqueName, waitFor } from '@relay/testing';
import { ChatSend, RoomMessage } from '@relay/contracts';
import { Bus } from './bus';
import { TRACEPARENT_HEADER, tracingActive } from './bus-tracing';

const silent = { warn: () => undefined, error: () => undefined };

describe('bus tracing', () => {
  let nats: TestNats;
  let nc: NatsConnection;
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

  beforeAll(async () => {
    nats = await startNats();
    nc = await connect({ servers: nats.url });
  });

  afterEach(() => exporter.reset());

  afterAll(async () => {
    await provider.shutdown();
    await nc?.close();
    await nats?.close();
  });

  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
  const named = (name: string) => exporter.getFinishedSpans().filter((s) => s.name === name);

  it('bus tracing - with no SDK registered the Bus does not trace and sends no traceparent', async () => {
    expect(tracingActive()).toBe(false);
    const bus = new Bus(nc, { source: 'test/untraced', logger: silent });
    expect(bus.tracing).toBe(false);
    const room = uniqueName('room');
    const raw: Msg[] = [];
    const sub = nc.subscribe(`chat.v1.room.${room}.message`, { callback: (_e, m) => raw.push(m) });
    bus.publish(RoomMessage, { room }, { room, id: '01A', seq: 1, from: 'alice', text: 'hi', ts: 1 });
    await waitFor(() => raw.length === 1, { what: 'raw message' });
    expect(raw[0].headers?.has(TRACEPARENT_HEADER) ?? false).toBe(false);
    sub.unsubscribe();
  });

  describe('with an SDK registered', () => {
    let bus: Bus;

    beforeAll(() => {
      provider.register();
      bus = new Bus(nc, { source: 'test/traced', logger: silent });
    });

    it('bus tracing - the Bus finds the registered SDK by itself', () => {
      expect(tracingActive()).toBe(true);
      expect(bus.tracing).toBe(true);
    });

    it('bus tracing - a consumed event runs in a CONSUMER span whose parent is the publish span from the headers', async () => {
      const room = uniqueName('room');
      let seenTraceId: string | undefined;
      const sub = bus.subscribe(RoomMessage, { room }, () => {
        seenTraceId = trace.getActiveSpan()?.spanContext().traceId;
      });
      const outer = trace.getTracer('test').startSpan('outer');
      context.with(trace.setSpan(context.active(), outer), () =>
        bus.publish(RoomMessage, { room }, { room, id: '01B', seq: 1, from: 'alice', text: 'hi', ts: 1 }),
      );
      outer.end();
      await waitFor(() => named('chat.message receive').length === 1, { what: 'receive span' });
      const [publish] = named('chat.message publish');
      const [receive] = named('chat.message receive');
      expect(publish.spanContext().traceId).toBe(outer.spanContext().traceId);
      expect(parentOf(publish)).toBe(outer.spanContext().spanId);
      expect(receive.spanContext().traceId).toBe(outer.spanContext().traceId);
      expect(parentOf(receive)).toBe(publish.spanContext().spanId);
      // The handler ran inside the span, so its own spans and log lines join the trace.
      expect(seenTraceId).toBe(outer.spanContext().traceId);
      sub.unsubscribe();
    });

    it('bus tracing - a request has a CLIENT span, and the server side a SERVER span under it; a refusal marks both failed', async () => {
      const sub = bus.serve(ChatSend, async (req) => {
        if (req.text === 'refuse') throw Object.assign(new Error('nope'), { code: 'NOPE' });
        return { id: '01C', seq: 1, ts: 1, duplicate: false };
      });
      await bus.flush();
      await bus.request(ChatSend, { room: 'lobby', user: 'alice', text: 'hi', clientMsgId: 'c1' }, { timeoutMs: 2000 });
      await waitFor(() => named('chat.send serve').length === 1 && named('chat.send request').length === 1, { what: 'request spans' });
      const [client] = named('chat.send request');
      const [server] = named('chat.send serve');
      expect(server.spanContext().traceId).toBe(client.spanContext().traceId);
      expect(parentOf(server)).toBe(client.spanContext().spanId);
      exporter.reset();

      await expect(bus.request(ChatSend, { room: 'lobby', user: 'alice', text: 'refuse', clientMsgId: 'c2' }, { timeoutMs: 2000 })).rejects.toThrow();
      await waitFor(() => named('chat.send serve').length === 1 && named('chat.send request').length === 1, { what: 'failed request spans' });
      expect(named('chat.send request')[0].status.code).toBe(2);
      expect(named('chat.send serve')[0].status.code).toBe(2);
      sub.unsubscribe();
    });

    it('bus tracing - an event without a traceparent is handled without a span of its own', async () => {
      const room = uniqueName('room');
      const got: string[] = [];
      const sub = bus.subscribe(RoomMessage, { room }, (m) => {
        got.push(m.id);
      });
      nc.publish(`chat.v1.room.${room}.message`, JSON.stringify({ id: 'e1', type: 'chat.message.v1', source: 'raw', time: 1, data: { room, id: '01D', seq: 1, from: 'alice', text: 'hi', ts: 1 } }));
      await waitFor(() => got.length === 1, { what: 'untraced event' });
      expect(named('chat.message receive')).toHaveLength(0);
      sub.unsubscribe();
    });
  });
});
