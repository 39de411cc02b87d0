import { Writable } from 'node:stream';
import { connect, type NatsConnection } from 'nats';
import pino from 'pino';
import { type ContractErrorData } from '@relay/contracts';
import { Bus, makeEnvelope } from '@relay/bus';
import type { Logger } from '@relay/service-kit';
import { natsEnvFor } from '@relay/testing';
import { buildApp, type ChatApp } from '../src/app';
import { readConfig } from '../src/config';

const silent = { warn: () => undefined, error: () => undefined };

/** Starts an in-process chat-service on the given NATS and Redis (no HTTP listen). */
export async function startChat(natsUrl: string, redisUrl: string, env: Record<string, string> = {}, logger?: Logger): Promise<ChatApp> {
  const config = readConfig({
    ...natsEnvFor(natsUrl, 'chat-service'),
    REDIS_URL: redisUrl,
    HEALTH_PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SHUTDOWN_TIMEOUT_MS: '5000',
    INSTANCE_ID: `chat-test-${Math.random().toString(36).slice(2, 8)}`,
    ...env,
  });
  return buildApp(config, { logger });
}

/** A logger that keeps every JSON line, for assertions on log context. */
export function recordingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

export interface TestClient {
  nc: NatsConnection;
  bus: Bus;
  /** Sends a hand-made envelope (bypassing client-side validation); returns the raw reply. */
  raw(subject: string, type: string, data: unknown): Promise<{ ok: boolean; data?: unknown; error?: ContractErrorData }>;
  close(): Promise<void>;
}

export async function connectClient(natsUrl: string): Promise<TestClient> {
  const nc = await connect({ servers: natsUrl });
  const bus = new Bus(nc, { source: 'test/chat-client', logger: silent });
  return {
    nc,
    bus,
    async raw(subject, type, data) {
      const body = typeof data === 'string' ? data : JSON.stringify(makeEnvelope(type, 1, 'test/raw', data));
      const msg = await nc.request(subject, new TextEncoder().encode(body), { timeout: 3000 });
      return JSON.parse(new TextDecoder().decode(msg.data)) as { ok: boolean; data?: unknown; error?: ContractErrorData };
    },
    async close() {
      await nc.close();
    },
  };
}

/** Sum of a counter over its label sets (optionally filtered by labels). */
export async function counterValue(app: ChatApp, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = app.metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want))
    .reduce((sum, v) => sum + v.value, 0);
}

export const REQ = { timeoutMs: 3000 };
