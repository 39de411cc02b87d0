import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort, httpStatus, portOpen, waitFor } from '@relay/testing';
import { pidAlive, ROOT, StartRun } from './run-start';

/** Three consecutive free ports for the three NATS nodes. */
async function freePortTriple(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = await freePort();
    if (p < 65533 && !(await portOpen(p + 1)) && !(await portOpen(p + 2))) return p;
  }
  throw new Error('no three consecutive free ports');
}

describe('dev-start --nats-cluster', () => {
  let run: StartRun | undefined;

  beforeAll(() => {
    const missing = ['ws-gateway', 'chat-service', 'presence-service', 'notification-service'].filter((a) => !existsSync(resolve(ROOT, 'dist/apps', a, 'main.js')));
    if (missing.length) throw new Error(`build first: missing ${missing.join(', ')}`);
  });

  afterAll(async () => {
    if (!run) return;
    if (run.running) run.child.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([run.exited, new Promise((r) => (timer = setTimeout(r, 20000)))]);
    clearTimeout(timer);
    for (const pid of run.startedPids().values()) if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
  });

  it('dev-start - --nats-cluster 3 runs three routed nats-servers, gives the apps all three, and the apps survive one node going', async () => {
    const natsBase = await freePortTriple();
    const [redisPort, gatewayPort, chat, presence, notification, api] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    run = new StartRun(['--nats-cluster', '3', '--no-install', '--no-build'], {
      NATS_URL: `nats://127.0.0.1:${natsBase}`,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      GATEWAY_BASE_PORT: String(gatewayPort),
      CHAT_HEALTH_PORT: String(chat),
      PRESENCE_HEALTH_PORT: String(presence),
      NOTIFICATION_HEALTH_PORT: String(notification),
      API_PORT: String(api),
    });
    const r = run;
    await waitFor(() => r.output.includes('Relay is up.') || !r.running, { what: 'the "Relay is up." banner', timeoutMs: 90000, intervalMs: 200 });
    if (!r.running) throw new Error(`npm start exited before it was up; its output:\n${r.output.slice(-4000)}`);

    const pids = r.startedPids();
    expect(['nats-1', 'nats-2', 'nats-3'].every((n) => pids.has(n))).toBe(true);
    expect(r.output).toContain(`nats://127.0.0.1:${natsBase},nats://127.0.0.1:${natsBase + 1},nats://127.0.0.1:${natsBase + 2}`);
    // Each node routes to the other two (monitoring URLs are in the banner).
    const monitors = [...(/a 3-node cluster started here.*monitoring ((?:http:\/\/\S+ ?)+)\)/.exec(r.output)?.[1] ?? '').matchAll(/http:\/\/\S+/g)].map((m) => m[0]);
    expect(monitors).toHaveLength(3);
    for (const m of monitors) {
      await waitFor(async () => ((await (await fetch(`${m}/routez`)).json()) as { num_routes: number }).num_routes >= 2, { what: `routes at ${m}` });
    }

    // One node goes: every app is ready again on the other two.
    const victim = pids.get('nats-1');
    if (victim === undefined) throw new Error('no nats-1 pid');
    process.kill(victim, 'SIGKILL');
    const namesOn = async (m: string) => ((await (await fetch(`${m}/connz?limit=1024`)).json()) as { connections: { name?: string }[] }).connections.map((c) => c.name);
    await waitFor(
      async () => {
        const names = [...(await namesOn(monitors[1])), ...(await namesOn(monitors[2]))];
        return ['chat-1', 'presence-1', 'notification-1', 'gw-1'].every((n) => names.includes(n));
      },
      { what: 'every app connected to the two nodes left', timeoutMs: 15000 },
    );
    for (const port of [gatewayPort, chat, presence, notification]) {
      await waitFor(async () => (await httpStatus(`http://127.0.0.1:${port}/readyz`)) === 200, { what: `/readyz on ${port} after the node went`, timeoutMs: 15000 });
    }
    expect(r.running).toBe(true);

    r.child.kill('SIGINT');
    expect(await r.exited).toEqual({ code: 0, signal: null });
    expect([...pids.entries()].filter(([, pid]) => pidAlive(pid))).toEqual([]);
  }, 150000);

  it('dev-start - --nats-cluster with --no-infra is refused with the usage text', async () => {
    const refused = new StartRun(['--nats-cluster', '3', '--no-infra'], {});
    expect((await refused.exited).code).toBe(2);
    expect(refused.output).toContain('--nats-cluster starts nats-servers, --no-infra forbids it');
  });
});
