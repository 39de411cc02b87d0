import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort, httpStatus, portOpen, signToken, waitFor } from '@relay/testing';
import { pidAlive, ROOT, StartRun } from './run-start';

/**
 * `npm start -- --observe`: Prometheus comes up with the stack, scrapes every process under the
 * deploy/prometheus job names, the gateway's ops page reads it, and Ctrl-C stops it with the rest.
 */
describe('dev-start --observe', () => {
  let run: StartRun | undefined;

  afterAll(async () => {
    if (!run) return;
    if (run.running) run.child.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([run.exited, new Promise((r) => (timer = setTimeout(r, 20000)))]);
    clearTimeout(timer);
    for (const pid of run.startedPids().values()) if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
  });

  it('dev-start - --observe starts Prometheus scraping every process, the ops page reads it, and Ctrl-C stops it too', async () => {
    if (!existsSync(resolve(ROOT, 'dist/apps/ws-gateway/main.js'))) throw new Error('build first (the test target depends on it)');
    // Distinct free ports (the kernel may hand a just-released port out twice).
    const taken = new Set<number>();
    const port = async () => {
      for (;;) {
        const p = await freePort();
        if (!taken.has(p)) {
          taken.add(p);
          return p;
        }
      }
    };
    const [nats, redis, gateway, chat, presence, notification, api, prometheusPort] = [await port(), await port(), await port(), await port(), await port(), await port(), await port(), await port()];
    run = new StartRun(['--observe', '--no-install', '--no-build'], {
      NATS_URL: `nats://127.0.0.1:${nats}`,
      REDIS_URL: `redis://127.0.0.1:${redis}`,
      GATEWAY_BASE_PORT: String(gateway),
      CHAT_HEALTH_PORT: String(chat),
      PRESENCE_HEALTH_PORT: String(presence),
      NOTIFICATION_HEALTH_PORT: String(notification),
      API_PORT: String(api),
      PROMETHEUS_PORT: String(prometheusPort),
      OPS_ADMINS: '',
      JWT_SECRET: 'observe-test-secret',
    });
    const current = run;
    await waitFor(() => current.output.includes('Relay is up.') || !current.running, { what: 'the "Relay is up." banner', timeoutMs: 90000, intervalMs: 200 });
    if (!current.running) throw new Error(`npm start exited before it was up; its output:\n${current.output.slice(-4000)}`);
    const prometheus = `http://127.0.0.1:${prometheusPort}`;
    expect(current.output).toContain(`Prometheus      ${prometheus}`);
    expect(current.output).toContain(`http://127.0.0.1:${gateway}/ops`);
    expect(current.startedPids().has('prometheus')).toBe(true);

    // The deployed configuration's first scrape comes within its 15 s interval.
    const up = await waitFor(
      async () => {
        const body = (await (await fetch(`${prometheus}/api/v1/query?query=up`)).json()) as { data: { result: { metric: { job: string }; value: [number, string] }[] } };
        const jobs = body.data.result.filter((r) => r.value[1] === '1').map((r) => r.metric.job).sort();
        return jobs.length === 5 && jobs;
      },
      { what: 'every process scraped and up', timeoutMs: 40000, intervalMs: 500 },
    );
    expect(up).toEqual(['api', 'chat-service', 'notification-service', 'presence-service', 'ws-gateway']);

    // The ops page is on for the default admin "ops" and reads the cluster figures from this Prometheus.
    const res = await fetch(`http://127.0.0.1:${gateway}/ops/api/snapshot`, { headers: { authorization: `Bearer ${signToken('ops', 'observe-test-secret')}` } });
    expect(res.status).toBe(200);
    const snapshot = (await res.json()) as { cluster: { ok: boolean; gateways?: { instance: string }[] } };
    expect(snapshot.cluster).toMatchObject({ ok: true, gateways: [{ instance: 'gw-1' }] });

    const pids = current.startedPids();
    current.child.kill('SIGINT');
    expect(await current.exited).toEqual({ code: 0, signal: null });
    expect([...pids.entries()].filter(([, pid]) => pidAlive(pid))).toEqual([]);
    expect(await portOpen(prometheusPort)).toBe(false);
    expect(await httpStatus(`${prometheus}/-/ready`)).toBe(0);
  });
});
