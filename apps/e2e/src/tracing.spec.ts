/**
 * One `send` is one trace across every process it crosses. The apps run as real processes with
 * tracing switched on only by the standard OTEL_* variables, exporting OTLP/HTTP (JSON) to a tiny
 * collector this test serves; the test then reads the spans back and checks they form one tree.
 */
import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { TestStack, uniqueName, waitFor } from '@relay/testing';

interface CollectedSpan {
  service: string;
  instance: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
}

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: number | string; boolValue?: boolean; doubleValue?: number };
}

interface OtlpRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: Array<{ spans?: Array<{ traceId: string; spanId: string; parentSpanId?: string; name: string; attributes?: OtlpAttribute[] }> }>;
  }>;
}

function attributeMap(list: OtlpAttribute[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of list ?? []) out[a.key] = a.value.stringValue ?? a.value.intValue ?? a.value.boolValue ?? a.value.doubleValue;
  return out;
}

/** A minimal OTLP/HTTP trace receiver: POST /v1/traces with a JSON body, every span kept. */
class TinyCollector {
  readonly spans: CollectedSpan[] = [];
  readonly contentTypes = new Set<string>();
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/v1/traces') {
          res.writeHead(404).end();
          return;
        }
        this.contentTypes.add(String(req.headers['content-type']));
        const raw = Buffer.concat(chunks);
        const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        this.accept(JSON.parse(body.toString('utf8')) as OtlpRequest);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address();
    if (!addr || typeof addr === 'string') throw new Error('collector has no port');
    return `http://127.0.0.1:${addr.port}`;
  }

  inTrace(traceId: string): CollectedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(request: OtlpRequest): void {
    for (const rs of request.resourceSpans ?? []) {
      const resource = attributeMap(rs.resource?.attributes);
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          this.spans.push({
            service: String(resource['service.name']),
            instance: String(resource['service.instance.id']),
            name: s.name,
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId || undefined,
            attributes: attributeMap(s.attributes),
          });
        }
      }
    }
  }
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

describe('tracing across processes', () => {
  let stack: TestStack;
  const collector = new TinyCollector();

  beforeAll(async () => {
    const endpoint = await collector.start();
    stack = await TestStack.start({
      gateways: 2,
      // Tracing on by the standard variables only; a short batch delay so spans arrive quickly.
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' },
    });
  }, 90000);

  afterAll(async () => {
    await stack?.close();
    await collector.close();
  });

  it("tracing - one send with the client's traceparent is one connected trace: gateway frame, request, chat-service, Redis script, publish, a fan-out on each gateway", async () => {
    const room = uniqueName('room');
    const alice = await stack.connect('alice', 0);
    const bob = await stack.connect('bob', 1);
    for (const c of [alice, bob]) expect(await c.request({ type: 'join', room })).toMatchObject({ type: 'joined' });

    const traceId = hex(16);
    const clientSpanId = hex(8);
    const sent = await alice.request({ type: 'send', room, text: 'traced hello', traceparent: `00-${traceId}-${clientSpanId}-01` });
    expect(sent).toMatchObject({ type: 'sent', seq: 1 });
    await bob.next((f) => f.type === 'message' && f.room === room);

    const gatewayInstances = () => new Set(collector.inTrace(traceId).filter((s) => s.name === 'room fan-out').map((s) => s.instance));
    await waitFor(() => gatewayInstances().size === 2 && collector.inTrace(traceId).some((s) => s.name === 'redis chatAppendMessage'), {
      timeoutMs: 15000,
      what: `spans of trace ${traceId}; got ${JSON.stringify(collector.inTrace(traceId).map((s) => `${s.service}:${s.name}`))}`,
    });
    const spans = collector.inTrace(traceId);
    const byName = (name: string) => spans.filter((s) => s.name === name);

    // The hops, each in the process that does it.
    const frame = byName('ws send');
    expect(frame).toHaveLength(1);
    expect(frame[0]).toMatchObject({ service: 'ws-gateway', parentSpanId: clientSpanId });
    // A retry on a loaded machine would add a request (and a duplicate-finding script run): at least one each.
    const inService = (name: string, service: string) => byName(name).length > 0 && byName(name).every((s) => s.service === service);
    expect(inService('chat.send request', 'ws-gateway')).toBe(true);
    expect(inService('chat.send serve', 'chat-service')).toBe(true);
    expect(inService('redis chatAppendMessage', 'chat-service')).toBe(true);
    // Stored once, announced once.
    expect(byName('chat.message publish')).toEqual([expect.objectContaining({ service: 'chat-service' })]);
    // One fan-out span per gateway holding a member (not one per recipient), each counting its recipients.
    const fanouts = byName('room fan-out');
    expect(fanouts).toHaveLength(2);
    expect(new Set(fanouts.map((s) => s.instance))).toEqual(new Set(stack.gateways.map((g, i) => `gw-${i + 1}-${g.port}`)));
    for (const f of fanouts) expect(f).toMatchObject({ service: 'ws-gateway', attributes: { 'relay.room': room, 'relay.seq': 1, 'relay.recipients': 1 } });

    // Connected: every span's parent is another span of the trace, or the client's own span.
    const ids = new Set(spans.map((s) => s.spanId));
    for (const s of spans) expect([s.name, ids.has(s.parentSpanId ?? '') || s.parentSpanId === clientSpanId]).toEqual([s.name, true]);
    // The chain, parent by parent: fan-out ← receive ← publish ← serve ← request ← frame.
    const parentOf = (s: CollectedSpan) => spans.find((p) => p.spanId === s.parentSpanId);
    const chain = (s: CollectedSpan | undefined): string[] => (s ? [s.name, ...chain(parentOf(s))] : []);
    expect(chain(fanouts[0])).toEqual(['room fan-out', 'chat.message receive', 'chat.message publish', 'chat.send serve', 'chat.send request', 'ws send']);
    expect(chain(byName('redis chatAppendMessage').at(-1))).toEqual(['redis chatAppendMessage', 'chat.send serve', 'chat.send request', 'ws send']);
    expect([...collector.contentTypes]).toEqual(['application/json']);
  });

  it('tracing - a send without a traceparent starts its own trace at the gateway, still connected to chat-service', async () => {
    const room = uniqueName('room');
    const carol = await stack.connect('carol', 1);
    await carol.request({ type: 'join', room });
    expect(await carol.request({ type: 'send', room, text: 'untraced by the client' })).toMatchObject({ type: 'sent' });
    const roots = () => collector.spans.filter((s) => s.name === 'ws send' && s.parentSpanId === undefined);
    const stored = (traceId: string) => collector.inTrace(traceId).some((s) => s.name === 'redis chatAppendMessage' && s.service === 'chat-service');
    await waitFor(() => roots().some((r) => stored(r.traceId)), { timeoutMs: 15000, what: 'a root send span whose trace reaches chat-service' });
  });

  it("tracing - a mention's notification continues the message's trace to the mentioned user's gateway", async () => {
    const room = uniqueName('room');
    const erin = await stack.connect('erin', 0);
    const frank = await stack.connect('frank', 1);
    await erin.request({ type: 'join', room });
    const traceId = hex(16);
    await erin.request({ type: 'send', room, text: 'hello @frank', traceparent: `00-${traceId}-${hex(8)}-01` });
    await frank.next((f) => f.type === 'notification' && f.room === room, 10000);
    const names = () => collector.inTrace(traceId).map((s) => `${s.service}:${s.name}`);
    await waitFor(() => names().includes('ws-gateway:notify.notification receive'), { timeoutMs: 15000, what: "the gateway's notification receive span in the message's trace" });
    expect(names()).toEqual(expect.arrayContaining(['notification-service:chat.mention receive', 'notification-service:notify.notification publish']));
  });

  it('tracing - a malformed traceparent is a BAD_REQUEST naming the field, and the connection stays usable', async () => {
    const dave = await stack.connect('dave', 0);
    const reply = await dave.request({ type: 'ping', traceparent: 'not-a-trace' });
    expect(reply).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
    expect(String(reply.message)).toContain('traceparent');
    expect(await dave.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
  });
});
