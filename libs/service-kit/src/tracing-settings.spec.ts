import { ConfigError, readBaseConfig, readTracingSettings } from './env';

describe('tracing settings', () => {
  it('tracing settings - off by default: no OTEL_* variable starts an SDK', () => {
    expect(readTracingSettings({})).toEqual({ enabled: false, serviceName: undefined });
    expect(readBaseConfig('chat-service', 9101, {}).tracing).toEqual({ enabled: false, serviceName: undefined });
  });

  it('tracing settings - an OTLP endpoint or OTEL_TRACES_EXPORTER=otlp turns it on', () => {
    expect(readTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).enabled).toBe(true);
    expect(readTracingSettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector/v1/traces' }).enabled).toBe(true);
    expect(readTracingSettings({ OTEL_TRACES_EXPORTER: 'otlp' }).enabled).toBe(true);
    expect(readTracingSettings({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SERVICE_NAME: 'chat-eu' })).toEqual({ enabled: true, serviceName: 'chat-eu' });
  });

  it('tracing settings - OTEL_TRACES_EXPORTER=none and OTEL_SDK_DISABLED=true win over an endpoint', () => {
    expect(readTracingSettings({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).enabled).toBe(false);
    expect(readTracingSettings({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).enabled).toBe(false);
  });

  it('tracing settings - what this build cannot honour refuses to start, naming the variable', () => {
    expect(() => readTracingSettings({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(ConfigError);
    expect(() => readTracingSettings({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/OTEL_TRACES_EXPORTER/);
    expect(() => readTracingSettings({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_TRACES_EXPORTER: 'otlp' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL/);
    expect(() => readTracingSettings({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' })).toThrow(/http\/json/);
    expect(() => readTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL/);
    expect(() => readTracingSettings({ OTEL_SDK_DISABLED: 'maybe' })).toThrow(/OTEL_SDK_DISABLED/);
  });
});
