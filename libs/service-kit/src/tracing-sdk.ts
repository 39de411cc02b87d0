/**
 * Starts the OpenTelemetry SDK of a service process, only when its OTEL_* settings ask for it
 * (env.ts readTracingSettings): spans are batched and exported over OTLP/HTTP (JSON) to
 * OTEL_EXPORTER_OTLP_ENDPOINT. When tracing is off nothing here runs and no provider is
 * registered, so the API the Bus and the apps call stays a no-op.
 */
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { tracingActive } from '@relay/bus';
import type { TracingSettings } from './env';
import type { Logger } from './logger';

export interface TracingHandle {
  /** Exports the spans still buffered, then stops; part of the ordered shutdown. */
  shutdown(): Promise<void>;
}

export interface StartTracingOptions {
  settings: TracingSettings | undefined;
  service: string;
  instanceId: string;
  logger: Logger;
}

/**
 * Registers a NodeTracerProvider (async-context propagation, W3C trace context) with an OTLP/HTTP
 * exporter. Returns undefined when tracing is off, or when a provider is registered already (a
 * test's in-memory one, or a second service started in the same process).
 */
export function startTracing(opts: StartTracingOptions): TracingHandle | undefined {
  if (!opts.settings?.enabled || tracingActive()) return undefined;
  diag.setLogger(diagToPino(opts.logger), DiagLogLevel.WARN);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': opts.settings.serviceName ?? opts.service, 'service.instance.id': opts.instanceId }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  opts.logger.info({ serviceName: opts.settings.serviceName ?? opts.service }, 'tracing on: spans exported over OTLP/HTTP');
  return {
    shutdown: async () => {
      await provider.shutdown();
      diag.disable();
    },
  };
}

/** The SDK's own warnings (an unreachable collector, dropped spans) go to the service log. */
function diagToPino(logger: Logger): DiagLogger {
  const log = logger.child({ component: 'otel' });
  const at = (level: 'warn' | 'error') => (message: string, ...args: unknown[]) => log[level]({ details: args.map(String) }, message);
  const ignore = () => undefined;
  return { error: at('error'), warn: at('warn'), info: ignore, debug: ignore, verbose: ignore };
}
