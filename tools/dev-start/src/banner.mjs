// What the developer needs once everything is up: where to point a browser, a WebSocket client,
// curl and the terminal chat client.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEV_API_KEY } from './options.mjs';
import { bold } from './output.mjs';

export function banner(plan, infra, root, opts = {}) {
  const gateways = plan.filter((p) => p.app === 'ws-gateway');
  const services = plan.filter((p) => p.app !== 'ws-gateway');
  const api = plan.find((p) => p.app === 'api');
  const first = gateways[0];
  const wsUrls = gateways.map((g) => `ws://127.0.0.1:${g.port}/ws`);
  const lines = ['', bold('Relay is up.'), ''];
  if (existsSync(join(root, 'apps/web-chat/project.json'))) {
    lines.push(`  Web chat page   http://127.0.0.1:${first.port}/?gateways=${wsUrls.join(',')}`);
  }
  lines.push(`  WebSocket       ${wsUrls.join('  ')}`);
  if (api) lines.push(`  Server API      http://127.0.0.1:${api.port}/v1  (OpenAPI at /openapi.json; docs/server-api.md)`);
  lines.push('  Health          /healthz  /readyz  /metrics on:');
  for (const p of [...gateways, ...services]) lines.push(`                    ${p.name.padEnd(9)} http://127.0.0.1:${p.port}/readyz`);
  const monitors = (infra.nats.extra?.monitorPorts ?? [infra.nats.extra?.monitorPort]).map((p) => `http://127.0.0.1:${p}`).join(' ');
  const natsKind = infra.nats.extra?.cluster ? `a ${infra.nats.extra.cluster}-node cluster ` : '';
  const natsNote = infra.nats.started ? ` (${natsKind}started here, pid ${infra.nats.pid}, monitoring ${monitors})` : ' (already running)';
  const redisNote = infra.redis.started ? ` (started here, pid ${infra.redis.pid}, nothing persisted)` : ' (already running)';
  lines.push(`  NATS            ${infra.nats.url}${natsNote}`);
  lines.push(`  Redis           ${infra.redis.url}${redisNote}`);
  lines.push('');
  lines.push('  A dev token (gateways run with AUTH_DEV_TOKENS=1):');
  lines.push(`    curl -s -X POST http://127.0.0.1:${first.port}/auth/dev-token -H 'content-type: application/json' -d '{"user":"alice"}'`);
  lines.push('  Chat from a terminal:');
  const urlArg = first.port === 8080 ? '' : ` --url ws://127.0.0.1:${first.port}/ws`;
  lines.push(`    npm run chat -- --user alice --room lobby${urlArg}`);
  if (api) {
    // Only the built-in dev key is printed; a key of your own stays out of the terminal.
    const key = opts.apiKeys === `dev:${DEV_API_KEY}` ? DEV_API_KEY : '<one of your API_KEYS>';
    lines.push('  Post into a room from a backend (server API):');
    lines.push(`    curl -s -X POST http://127.0.0.1:${api.port}/v1/rooms/lobby/messages -H 'authorization: Bearer ${key}' -H 'content-type: application/json' -H 'idempotency-key: hello-1' -d '{"text":"hello from curl","from":"deploybot"}'`);
  }
  lines.push('');
  lines.push('  Ctrl-C stops everything started here.');
  lines.push('');
  return lines.join('\n');
}
