#!/usr/bin/env node
// `npm start`: the whole of Relay on this machine, from a fresh clone, with one command.
// Plain Node, no npm dependencies: it must run before node_modules exists. See --help.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { banner } from './src/banner.mjs';
import { ensureInfra } from './src/infra.mjs';
import { gatewayObserveEnv, observeBanner, startPrometheus } from './src/observe.mjs';
import { HELP, parseOptions, UsageError } from './src/options.mjs';
import { info, loud } from './src/output.mjs';
import { buildApps, checkBuilt, installIfNeeded } from './src/prepare.mjs';
import { planProcesses, startProcesses, waitUntilReady } from './src/services.mjs';
import { Supervisor } from './src/supervisor.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

let opts;
try {
  opts = parseOptions(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  process.stderr.write(`${err.message}\n\n${HELP}\n`);
  process.exit(2);
}
if (opts.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}

let running = false;
const cleanups = [];
const supervisor = new Supervisor({
  onUnexpectedExit(entry) {
    const how = entry.exit.error ? `could not run: ${entry.exit.error.message}` : entry.exit.signal ? `was killed by ${entry.exit.signal}` : `exited with code ${entry.exit.code}`;
    const impact = entry.name === 'nats' || entry.name === 'redis' ? 'Every service depends on it: expect /readyz to fail.' : 'The other processes keep running.';
    loud(`${entry.name} (pid ${entry.pid}) ${how} unexpectedly.\n${impact} Fix the cause (log above), then Ctrl-C and npm start again.`);
    if (running && supervisor.running().length === 0) void shutdown('every process has exited', 1);
  },
});

let stopping;
/** Stops everything we started, once; a second Ctrl-C kills what is left at once. */
function shutdown(reason, exitCode) {
  if (stopping) return stopping;
  info(`${reason}: stopping ${supervisor.running().length} process(es)...`);
  stopping = (async () => {
    await supervisor.stopAll();
    for (const cleanup of cleanups) cleanup();
    info('everything stopped.');
    process.exit(exitCode);
  })();
  return stopping;
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (stopping) {
      info(`${sig} again: killing what is left`);
      supervisor.killAllNow();
      process.exit(130);
    }
    void shutdown(sig, 0);
  });
}
// Whatever way we leave, no child outlives us (synchronous SIGKILL of what still runs).
process.on('exit', () => supervisor.killAllNow());
// `kill <npm pid>` stops npm without passing the signal on; we notice being orphaned and stop too.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) void shutdown(`parent process ${parentPid} exited`, 0);
}, 500).unref();

async function main() {
  if (opts.install) await installIfNeeded(root);
  if (opts.build) await buildApps(root);
  else checkBuilt(root);
  const infra = await ensureInfra({ ...opts, root }, supervisor, cleanups);
  opts.natsAuth = infra.nats.extra?.auth;
  const plan = planProcesses(opts);
  if (opts.observe) for (const p of plan) if (p.app === 'ws-gateway') Object.assign(p.env, gatewayObserveEnv(opts));
  const prometheus = opts.observe ? await startPrometheus(opts, plan, supervisor, root, cleanups) : undefined;
  // With --nats-cluster the apps get every node's URL, not only NATS_URL's.
  startProcesses(plan, { ...opts, natsUrl: infra.nats.url }, supervisor, root);
  info(`waiting for ${plan.length} /readyz endpoints...`);
  await waitUntilReady(plan, opts.readyTimeoutMs);
  running = true;
  process.stdout.write(`${banner(plan, infra, root, opts)}\n`);
  if (prometheus) process.stdout.write(`${observeBanner(prometheus, plan)}\n`);
}

main().catch((err) => {
  if (stopping) return;
  loud(`start-up failed: ${err.message}`);
  void shutdown('start-up failed', 1);
});
