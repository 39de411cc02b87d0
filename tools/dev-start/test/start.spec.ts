import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort, httpStatus, portOpen, waitFor } from '@relay/testing';
import { pidAlive, ROOT, StartRun } from './run-start';

const APPS = ['ws-gateway', 'chat-service', 'presence-service', 'notification-service', 'api'];

/** Two consecutive free ports for two gateways. */
async function freePortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = await freePort();
    if (p < 65535 && !(await portOpen(p + 1))) return p;
  }
  throw new Error('no two consecutive free ports');
}

describe('dev-start', () => {
  const runs: StartRun[] = [];

  beforeAll(() => {
    const missing = APPS.filter((a) => !existsSync(resolve(ROOT, 'dist/apps', a, 'main.js')));
    if (missing.length) throw new Error(`build first (the test target depends on it): missing ${missing.join(', ')}`);
  });

  afterAll(async () => {
    // A failed assertion must not leave the process tree running.
    for (const run of runs) {
      if (run.running) run.child.kill('SIGINT');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([run.exited, new Promise((r) => (timer = setTimeout(r, 20000)))]);
      clearTimeout(timer);
      for (const pid of run.startedPids().values()) if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  it('dev-start - starts its own nats and redis, two gateways, three services and the api (the banner\'s curl posts a message), and Ctrl-C leaves no process behind', async () => {
    // Eight distinct ports: the kernel may hand a just-released port out twice.
    const taken = new Set<number>();
    const distinct = async (pick: () => Promise<number>, span = 1): Promise<number> => {
      for (;;) {
        const p = await pick();
        const range = Array.from({ length: span }, (_, i) => p + i);
        if (range.every((x) => !taken.has(x))) {
          range.forEach((x) => taken.add(x));
          return p;
        }
      }
    };
    const natsPort = await distinct(freePort);
    const redisPort = await distinct(freePort);
    const gatewayBase = await distinct(freePortPair, 2);
    const ports = { chat: await distinct(freePort), presence: await distinct(freePort), notification: await distinct(freePort), api: await distinct(freePort) };
    const run = new StartRun(['--gateways', '2', '--no-install', '--no-build'], {
      NATS_URL: `nats://127.0.0.1:${natsPort}`,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      GATEWAY_BASE_PORT: String(gatewayBase),
      CHAT_HEALTH_PORT: String(ports.chat),
      PRESENCE_HEALTH_PORT: String(ports.presence),
      NOTIFICATION_HEALTH_PORT: String(ports.notification),
      API_PORT: String(ports.api),
      API_KEYS: '',
    });
    runs.push(run);

    await waitFor(() => run.output.includes('Relay is up.') || !run.running, { what: 'the "Relay is up." banner', timeoutMs: 90000, intervalMs: 200 });
    if (!run.running) throw new Error(`npm start exited before it was up; its output:\n${run.output.slice(-4000)}`);

    // It started the infrastructure itself, on exactly the ports of NATS_URL and REDIS_URL.
    expect(await portOpen(natsPort)).toBe(true);
    expect(await portOpen(redisPort)).toBe(true);
    const pids = run.startedPids();
    expect([...pids.keys()].sort()).toEqual(['api', 'chat', 'gw-1', 'gw-2', 'nats-server', 'notify', 'presence', 'redis-server']);

    const readyPorts = [gatewayBase, gatewayBase + 1, ports.chat, ports.presence, ports.notification, ports.api];
    for (const port of readyPorts) expect(await httpStatus(`http://127.0.0.1:${port}/readyz`)).toBe(200);
    expect(run.output).toContain(`ws://127.0.0.1:${gatewayBase}/ws`);
    expect(run.output).toContain(`ws://127.0.0.1:${gatewayBase + 1}/ws`);
    expect(run.output).toContain(`http://127.0.0.1:${gatewayBase}/auth/dev-token`);

    // The banner's curl line, run as printed (through fetch): the message is stored in lobby.
    const curl = /curl -s -X POST (\S+) -H 'authorization: Bearer (\S+)' -H 'content-type: application\/json' -H 'idempotency-key: (\S+)' -d '(.+)'$/m.exec(run.output);
    if (!curl) throw new Error(`no server API curl line in the banner:\n${run.output.slice(-2000)}`);
    expect(curl[1]).toBe(`http://127.0.0.1:${ports.api}/v1/rooms/lobby/messages`);
    const posted = await fetch(curl[1], { method: 'POST', headers: { authorization: `Bearer ${curl[2]}`, 'content-type': 'application/json', 'idempotency-key': curl[3] }, body: curl[4] });
    expect(posted.status).toBe(201);
    expect(await posted.json()).toMatchObject({ room: 'lobby', seq: 1, duplicate: false });

    // A service that dies on its own is reported loudly; the rest keeps running.
    const chatPid = pids.get('chat');
    if (chatPid === undefined) throw new Error('no chat pid reported');
    process.kill(chatPid, 'SIGKILL');
    await waitFor(() => /chat \(pid \d+\) was killed by SIGKILL unexpectedly/.test(run.output), { what: 'the unexpected-exit report', timeoutMs: 10000 });
    expect(run.running).toBe(true);
    expect(await httpStatus(`http://127.0.0.1:${gatewayBase}/readyz`)).toBe(200);

    run.child.kill('SIGINT');
    const exit = await run.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(run.output).toContain('everything stopped.');
    const alive = [...pids.entries()].filter(([, pid]) => pidAlive(pid));
    expect(alive).toEqual([]);
    for (const port of [natsPort, redisPort, ...readyPorts]) expect(await portOpen(port)).toBe(false);
  });

  it('dev-start - with --no-infra and nothing at NATS_URL it exits non-zero and says what to do', async () => {
    const natsPort = await freePort();
    const run = new StartRun(['--no-infra', '--no-install', '--no-build'], { NATS_URL: `nats://127.0.0.1:${natsPort}` });
    runs.push(run);
    const exit = await run.exited;
    expect(exit.code).toBe(1);
    expect(run.output).toContain(`Nothing answers at NATS_URL=nats://127.0.0.1:${natsPort} and --no-infra was given`);
    expect(run.startedPids().size).toBe(0);
  });

  it('dev-start - an unknown option is refused with the usage text', async () => {
    const run = new StartRun(['--gateway', '2'], {});
    runs.push(run);
    expect((await run.exited).code).toBe(2);
    expect(run.output).toContain('unknown option "--gateway"');
    expect(run.output).toContain('--gateways N');
  });
});
