// The Relay processes of a local run: which ones, on which ports, with which environment, and
// the wait until every one of them answers /readyz with 200.
import { join } from 'node:path';
import { httpStatus, sleep } from './net.mjs';
import { info } from './output.mjs';
import { STAGE } from './supervisor.mjs';

/** Every process to start, in start order: services first, then the gateways and the api that call them. */
export function planProcesses(opts) {
  const plan = [
    { name: 'chat', app: 'chat-service', port: opts.healthPorts.chat, env: { HEALTH_PORT: opts.healthPorts.chat, INSTANCE_ID: 'chat-1' }, stage: STAGE.service },
    { name: 'presence', app: 'presence-service', port: opts.healthPorts.presence, env: { HEALTH_PORT: opts.healthPorts.presence, INSTANCE_ID: 'presence-1' }, stage: STAGE.service },
    { name: 'notify', app: 'notification-service', port: opts.healthPorts.notification, env: { HEALTH_PORT: opts.healthPorts.notification, INSTANCE_ID: 'notification-1' }, stage: STAGE.service },
  ];
  // More chat-service instances share its queue group: requests spread over them.
  for (let i = 2; i <= opts.chat; i++) {
    const port = opts.healthPorts.chat + 10 * (i - 1);
    plan.push({ name: `chat-${i}`, app: 'chat-service', port, env: { HEALTH_PORT: port, INSTANCE_ID: `chat-${i}` }, stage: STAGE.service });
  }
  for (let i = 1; i <= opts.gateways; i++) {
    const port = opts.gatewayBasePort + i - 1;
    plan.push({ name: `gw-${i}`, app: 'ws-gateway', port, env: { PORT: port, INSTANCE_ID: `gw-${i}`, AUTH_DEV_TOKENS: '1' }, stage: STAGE.gateway });
  }
  // The server API is an edge like the gateways: it stops with them, before the services.
  plan.push({ name: 'api', app: 'api', port: opts.apiPort, env: { HEALTH_PORT: opts.apiPort, INSTANCE_ID: 'api-1', API_KEYS: opts.apiKeys }, stage: STAGE.gateway });
  return plan;
}

function envFor(proc, opts) {
  const env = { ...process.env };
  // A PORT or HEALTH_PORT left in the shell would put every process on one port.
  delete env.PORT;
  delete env.HEALTH_PORT;
  Object.assign(env, { NATS_URL: opts.natsUrl, REDIS_URL: opts.redisUrl });
  // Each service logs in to NATS as its own role (keys made by tools/nats-auth for this run).
  const natsKey = opts.natsAuth?.roles?.[proc.app]?.seedFile;
  if (natsKey) env.NATS_NKEY_SEED_FILE = natsKey;
  if (opts.pretty) env.LOG_PRETTY = '1';
  for (const [k, v] of Object.entries(proc.env)) env[k] = String(v);
  return env;
}

export function startProcesses(plan, opts, supervisor, root) {
  for (const proc of plan) {
    const entry = supervisor.start({
      name: proc.name,
      command: process.execPath,
      args: [join(root, 'dist/apps', proc.app, 'main.js')],
      env: envFor(proc, opts),
      cwd: root,
      stage: proc.stage,
    });
    proc.entry = entry;
    info(`started ${proc.app} as ${proc.name} pid ${entry.pid} (port ${proc.port})`);
  }
}

export function readyUrl(proc) {
  return `http://127.0.0.1:${proc.port}/readyz`;
}

/** Resolves when every /readyz says 200; throws when one process dies or time runs out. */
export async function waitUntilReady(plan, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(plan);
  while (pending.size > 0) {
    for (const proc of [...pending]) {
      if (proc.entry.exit) throw new Error(`${proc.app} (${proc.name}) exited during start-up; see its log above`);
      if ((await httpStatus(readyUrl(proc), 1000)) === 200) pending.delete(proc);
    }
    if (pending.size === 0) break;
    if (Date.now() > deadline) {
      const names = [...pending].map((p) => `${p.name} (${readyUrl(p)})`).join(', ');
      throw new Error(`not ready after ${timeoutMs} ms: ${names}`);
    }
    await sleep(200);
  }
}
