import { Writable } from 'node:stream';
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { createLogger } from './logger';
import { withSpan } from './trace-spans';

/** The JSON lines a logger wrote. */
function recordingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ service: 'test', instanceId: 'test-1', destination }) };
}

describe('logger trace ids', () => {
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] });

  afterAll(() => provider.shutdown());

  it('logger trace ids - without an SDK a line carries no trace fields', () => {
    const { lines, logger } = recordingLogger();
    logger.info('plain');
    logger.info({ server: 'nats://x' }, 'with fields');
    logger.info({ other: 1 }, 'fields again');
    expect(lines[0]).toMatchObject({ msg: 'plain' });
    expect(lines[0]).not.toHaveProperty('traceId');
    // Regression: the fields of one line never leak into the next (a shared mixin object).
    expect(lines[1]).toMatchObject({ msg: 'with fields', server: 'nats://x' });
    expect(lines[2]).toMatchObject({ msg: 'fields again', other: 1 });
    expect(lines[2]).not.toHaveProperty('server');
  });

  it('logger trace ids - a line written while a span is active carries its traceId and spanId, child loggers too', async () => {
    provider.register();
    const { lines, logger } = recordingLogger();
    const child = logger.child({ correlationId: 'c-1' });
    let ids: { traceId: string; spanId: string } | undefined;
    await withSpan('work', 'internal', {}, async () => {
      await new Promise((r) => setImmediate(r));
      const sc = trace.getActiveSpan()?.spanContext();
      ids = sc && { traceId: sc.traceId, spanId: sc.spanId };
      child.warn({ detail: 'd' }, 'inside');
    });
    logger.info('outside');
    expect(ids?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(lines.find((l) => l.msg === 'inside')).toMatchObject({ correlationId: 'c-1', detail: 'd', traceId: ids?.traceId, spanId: ids?.spanId });
    expect(lines.find((l) => l.msg === 'outside')).not.toHaveProperty('traceId');
    expect(trace.getSpan(context.active())).toBeUndefined();
  });
});
