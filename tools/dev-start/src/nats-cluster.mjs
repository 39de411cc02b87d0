// `npm start -- --nats-cluster N`: N local nats-server processes joined into one cluster (routes,
// cluster name "relay", JetStream per node), the same shape as deploy/nats-cluster and the
// Kubernetes StatefulSet. The apps get every node in NATS_URL, so killing one node shows the
// fail-over. Client ports are consecutive from NATS_URL's port (4222, 4223, 4224 by default).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findServerBinary, missingBinaryMessage, serverArgs } from '../../../libs/local-servers/src/index.cjs';
import { InfraError } from './infra-error.mjs';
import { endpointOf, freePort, isLocalHost, sleep, tcpAnswers } from './net.mjs';
import { info } from './output.mjs';
import { STAGE } from './supervisor.mjs';

/** Starts the cluster; returns the same shape as a single started server, `url` being the list. */
export async function startNatsCluster(opts, supervisor) {
  const { host, port } = endpointOf(opts.natsUrl, 4222);
  if (!isLocalHost(host)) throw new InfraError(`--nats-cluster starts local servers, but NATS_URL=${opts.natsUrl} is not a local address.`);
  const clientPorts = Array.from({ length: opts.natsCluster }, (_, i) => port + i);
  for (const p of clientPorts) {
    if (await tcpAnswers('127.0.0.1', p)) throw new InfraError(`--nats-cluster ${opts.natsCluster} needs ports ${clientPorts.join(', ')} free, but something answers at ${p}: stop it or move NATS_URL.`);
  }
  const bin = findServerBinary('nats');
  if (!bin) throw new InfraError(`--nats-cluster needs nats-server: ${missingBinaryMessage('nats')}`);
  const nodes = [];
  for (let i = 0; i < clientPorts.length; i++) nodes.push({ name: `nats-${i + 1}`, port: clientPorts[i], clusterPort: await freePort(6222 + i), monitorPort: await freePort(8222 + i) });
  const routes = nodes.map((n) => `nats://127.0.0.1:${n.clusterPort}`).join(',');
  const dir = mkdtempSync(join(tmpdir(), 'relay-dev-nats-cluster-'));
  const entries = [];
  for (const n of nodes) {
    const args = [
      ...serverArgs('nats', { port: n.port, monitorPort: n.monitorPort, dir: join(dir, n.name), jetstream: true }),
      ...['-n', `relay-${n.name}`, '--cluster_name', 'relay', '--cluster', `nats://127.0.0.1:${n.clusterPort}`, '--routes', routes],
    ];
    info(`starting ${bin} ${args.join(' ')}`);
    const entry = supervisor.start({ name: n.name, command: bin, args, env: process.env, stage: STAGE.infra });
    info(`started nats-server as ${n.name} pid ${entry.pid}`);
    entries.push(entry);
  }
  const deadline = Date.now() + 15000;
  for (const [i, n] of nodes.entries()) {
    while (!(await tcpAnswers('127.0.0.1', n.port, 500))) {
      if (entries[i].exit) throw new InfraError(`nats-server ${n.name} exited during start-up; see its log above.`);
      if (Date.now() > deadline) throw new InfraError(`nats-server ${n.name} did not open port ${n.port} within 15 s; see its log above.`);
      await sleep(50);
    }
  }
  return {
    started: true,
    url: nodes.map((n) => `nats://127.0.0.1:${n.port}`).join(','),
    pid: entries.map((e) => e.pid).join(', '),
    extra: { monitorPort: nodes[0].monitorPort, monitorPorts: nodes.map((n) => n.monitorPort), cluster: nodes.length },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
