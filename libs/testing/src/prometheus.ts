/**
 * A real Prometheus for tests: the project's own deploy/prometheus/prometheus.yml and rules,
 * with only the intervals shortened and the targets given by the test (file discovery), on a
 * free port with its storage in a temporary folder. Tests read series, rules and alerts back
 * through its HTTP API, so what they prove holds for the configuration operators deploy.
 */
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { requireServerBinary, serverArgs } from '@relay/local-servers';
import { ChildServer } from './child-server';
import { freePort } from './free-port';
import type { TestStack } from './stack';
import { httpStatus } from './wait-for';

const ROOT = resolve(__dirname, '../../..');
export const PROMETHEUS_DEPLOY_DIR = join(ROOT, 'deploy/prometheus');

/** One sample of an instant vector: its labels and value. */
export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

export interface PromAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}

export interface PromRule {
  name: string;
  query: string;
  type: 'alerting' | 'recording';
  /** `ok` once evaluated without error, `err` with lastError, `unknown` before the first run. */
  health: 'ok' | 'err' | 'unknown';
  lastError?: string;
}

export interface TestPrometheus {
  url: string;
  server: ChildServer;
  /** Evaluates an instant query; throws with Prometheus's message when it is not valid PromQL. */
  query(expr: string): Promise<PromSample[]>;
  alerts(): Promise<PromAlert[]>;
  rules(): Promise<PromRule[]>;
  /** Replaces the scrape targets; Prometheus notices the rewritten files by itself. */
  setTargets(targets: Record<string, string[]>): void;
  close(): Promise<void>;
}

export interface PrometheusOptions {
  /** Scrape targets (host:port) by job name, e.g. `{ 'ws-gateway': ['127.0.0.1:8080'] }`. */
  targets: Record<string, string[]>;
  /** Scrape and rule evaluation interval; 1 s unless told. */
  intervalSeconds?: number;
}

/** Every process of a stack as scrape targets, under the job names deploy/prometheus uses. */
export function stackTargets(stack: TestStack): Record<string, string[]> {
  const hosts = (apps: { port: number }[]) => apps.map((a) => `127.0.0.1:${a.port}`);
  return {
    'ws-gateway': hosts(stack.gateways),
    'chat-service': hosts(stack.chat),
    'presence-service': hosts(stack.presence),
    'notification-service': hosts(stack.notification),
    // TestStack does not run apps/api; its job stays empty.
    api: [],
  };
}

/** The deployed configuration with the test's intervals; fails loudly when the file's shape moved. */
function testConfig(intervalSeconds: number): string {
  const deployed = readFileSync(join(PROMETHEUS_DEPLOY_DIR, 'prometheus.yml'), 'utf8');
  let config = deployed;
  for (const key of ['scrape_interval', 'evaluation_interval', 'scrape_timeout']) {
    const line = new RegExp(`^(  ${key}:) \\S+$`, 'm');
    if (!line.test(config)) throw new Error(`deploy/prometheus/prometheus.yml has no global "${key}:" line to shorten for the test`);
    config = config.replace(line, `$1 ${intervalSeconds}s`);
  }
  return config;
}

export async function startPrometheus(opts: PrometheusOptions): Promise<TestPrometheus> {
  const bin = requireServerBinary('prometheus');
  const dir = mkdtempSync(join(tmpdir(), 'relay-prometheus-'));
  writeFileSync(join(dir, 'prometheus.yml'), testConfig(opts.intervalSeconds ?? 1));
  // The config names rules/*.yml and targets/<job>.json relative to itself.
  symlinkSync(join(PROMETHEUS_DEPLOY_DIR, 'rules'), join(dir, 'rules'));
  mkdirSync(join(dir, 'targets'));
  const setTargets = (byJob: Record<string, string[]>) => {
    for (const [job, targets] of Object.entries(byJob)) {
      // Written aside and renamed into place, so Prometheus never reads half a file.
      const file = join(dir, 'targets', `${job}.json`);
      writeFileSync(`${file}.tmp`, JSON.stringify([{ targets }]));
      renameSync(`${file}.tmp`, file);
    }
  };
  setTargets(opts.targets);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = new ChildServer(
    'prometheus',
    bin,
    serverArgs('prometheus', { port, configFile: join(dir, 'prometheus.yml'), dir: join(dir, 'data') }),
    port,
    async () => (await httpStatus(`${url}/-/ready`)) === 200,
  );
  try {
    await server.start(30000);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? res.status}`);
    return body.data;
  };

  return {
    url,
    server,
    async query(expr) {
      const data = await api<{ resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] }>(
        `/api/v1/query?query=${encodeURIComponent(expr)}`,
      );
      if (data.resultType !== 'vector') throw new Error(`expected an instant vector from ${expr}, got ${data.resultType}`);
      return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    async alerts() {
      return (await api<{ alerts: PromAlert[] }>('/api/v1/alerts')).alerts;
    },
    async rules() {
      const data = await api<{ groups: { rules: PromRule[] }[] }>('/api/v1/rules');
      return data.groups.flatMap((g) => g.rules.map((r) => ({ name: r.name, query: r.query, type: r.type, health: r.health, lastError: r.lastError })));
    },
    setTargets,
    async close() {
      await server.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
