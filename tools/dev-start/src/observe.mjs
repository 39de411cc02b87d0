// `npm start -- --observe`: a Prometheus with the project's own configuration and rules
// (deploy/prometheus, used as they are) scraping every process of this run, so the alerts, the
// Grafana dashboard and the gateways' ops page (/ops) have data. Only the scrape targets are this
// run's: they are written as the target files the configuration reads. See docs/operations.md.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findServerBinary, missingBinaryMessage, serverArgs } from '../../../libs/local-servers/src/index.cjs';
import { InfraError } from './infra-error.mjs';
import { httpStatus, sleep, tcpAnswers } from './net.mjs';
import { info } from './output.mjs';
import { STAGE } from './supervisor.mjs';

/** The user whose dev token opens the ops page, unless OPS_ADMINS says otherwise. */
export const DEFAULT_OPS_ADMIN = 'ops';

export function prometheusUrl(opts) {
  return `http://127.0.0.1:${opts.prometheusPort}`;
}

/** What the gateways need for their ops page: where Prometheus is, and who may read the page. */
export function gatewayObserveEnv(opts, env = process.env) {
  return { PROMETHEUS_URL: prometheusUrl(opts), OPS_ADMINS: env.OPS_ADMINS || DEFAULT_OPS_ADMIN };
}

/** The plan's processes as scrape targets under the job names of deploy/prometheus. */
export function targetsByJob(plan) {
  const jobs = { 'ws-gateway': [], 'chat-service': [], 'presence-service': [], 'notification-service': [], api: [] };
  for (const p of plan) (jobs[p.app] ??= []).push(`127.0.0.1:${p.port}`);
  return jobs;
}

/** Starts Prometheus under the supervisor and waits until it is ready; returns { url, pid }. */
export async function startPrometheus(opts, plan, supervisor, root, cleanups) {
  const bin = findServerBinary('prometheus');
  if (!bin) throw new InfraError(`--observe needs prometheus. ${missingBinaryMessage('prometheus')}\nthen run npm start again.`);
  if (await tcpAnswers('127.0.0.1', opts.prometheusPort)) {
    throw new InfraError(`--observe: port ${opts.prometheusPort} is taken (another Prometheus?); set PROMETHEUS_PORT to a free port.`);
  }
  const deploy = join(root, 'deploy/prometheus');
  const dir = mkdtempSync(join(tmpdir(), 'relay-dev-prometheus-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  copyFileSync(join(deploy, 'prometheus.yml'), join(dir, 'prometheus.yml'));
  symlinkSync(join(deploy, 'rules'), join(dir, 'rules'));
  mkdirSync(join(dir, 'targets'));
  for (const [job, targets] of Object.entries(targetsByJob(plan))) writeFileSync(join(dir, 'targets', `${job}.json`), JSON.stringify([{ targets }]));

  const args = serverArgs('prometheus', { port: opts.prometheusPort, configFile: join(dir, 'prometheus.yml'), dir: join(dir, 'data') });
  info(`starting ${bin} ${args.join(' ')}`);
  const entry = supervisor.start({ name: 'prometheus', command: bin, args, env: process.env, stage: STAGE.infra });
  info(`started prometheus pid ${entry.pid}`);
  const url = prometheusUrl(opts);
  const deadline = Date.now() + 30000;
  while ((await httpStatus(`${url}/-/ready`, 1000)) !== 200) {
    if (entry.exit) throw new InfraError('prometheus exited during start-up; see its log above.');
    if (Date.now() > deadline) throw new InfraError(`prometheus did not answer ${url}/-/ready within 30 s; see its log above.`);
    await sleep(100);
  }
  return { url, pid: entry.pid };
}

/** The banner's lines for a run with --observe. */
export function observeBanner(prometheus, plan, env = process.env) {
  const gw = plan.find((p) => p.app === 'ws-gateway');
  const admin = (env.OPS_ADMINS || DEFAULT_OPS_ADMIN).split(',')[0].trim();
  return [
    `  Prometheus      ${prometheus.url} (started here, pid ${prometheus.pid}; alerts at ${prometheus.url}/alerts)`,
    `  Ops page        http://127.0.0.1:${gw.port}/ops  (token of an OPS_ADMINS user, e.g. a dev token for "${admin}")`,
    '  Grafana         import deploy/grafana/relay-overview.json with a Prometheus data source at the URL above',
    '',
  ].join('\n');
}
