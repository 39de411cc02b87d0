import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { byKind, containersOf, envValue, find, ROOT, validateOverlays, type Container, type K8sObject } from './rendered';

// Every app the image recipe builds is deployed: the Dockerfile's `# APP:` list (the service generator extends it).
const APPS = (/^# APP: (.+)$/m.exec(readFileSync(resolve(ROOT, 'Dockerfile'), 'utf8'))?.[1] ?? '').split('|').map((a) => a.trim());
const OVERLAYS = ['deploy/k8s/overlays/dev', 'deploy/k8s/overlays/prod'];
const docsConfig = readFileSync(resolve(ROOT, 'docs/configuration.md'), 'utf8');
const docsDeployment = readFileSync(resolve(ROOT, 'docs/deployment.md'), 'utf8');
const healthRoutes = readFileSync(resolve(ROOT, 'libs/service-kit/src/health-routes.ts'), 'utf8');

const validation = validateOverlays(...OVERLAYS);
const rendered = (overlay: string): K8sObject[] => validation.report[overlay].objects;

/** The port a probe or Service names, resolved against the container's ports. */
function portNumber(c: Container, port: string | number): number | undefined {
  return typeof port === 'number' ? port : c.ports?.find((p) => p.name === port)?.containerPort;
}

function labelsMatch(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

describe('deploy/k8s manifests', () => {
  it('manifests - both overlays render and every object passes the Kubernetes schema', () => {
    for (const overlay of OVERLAYS) {
      expect(validation.report[overlay].errors).toEqual([]);
      expect(rendered(overlay).length).toBeGreaterThan(20);
    }
    expect(APPS).toEqual(expect.arrayContaining(['ws-gateway', 'chat-service', 'presence-service', 'notification-service']));
    expect(validation.status).toBe(0);
  });

  it('manifests - the schema check rejects a broken object (it can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-k8s-'));
    try {
      writeFileSync(join(dir, 'kustomization.yaml'), 'resources:\n  - bad.yaml\n');
      writeFileSync(join(dir, 'bad.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: bad }\nspec:\n  selector: {}\n  template: { spec: { containers: [{ name: 7 }] } }\n');
      const bad = validateOverlays(dir);
      expect(bad.status).toBe(1);
      expect(bad.report[dir].errors.join('\n')).toMatch(/Deployment\/bad: .*containers\/0\/name must be string/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe.each(OVERLAYS)('%s', (overlay) => {
    const objects = rendered(overlay);

    it('manifests - every app has a Deployment whose probes hit /readyz and /healthz on the port the app serves them on', () => {
      expect(healthRoutes).toContain("app.get('/healthz'");
      expect(healthRoutes).toContain("app.get('/readyz'");
      for (const app of APPS) {
        const [c] = containersOf(find(objects, 'Deployment', app));
        // The gateway serves health on PORT, every other app on HEALTH_PORT (docs/configuration.md).
        const served = Number(envValue(c, app === 'ws-gateway' ? 'PORT' : 'HEALTH_PORT'));
        expect(served).toBeGreaterThan(0);
        expect(portNumber(c, c.readinessProbe.httpGet.port)).toBe(served);
        expect(portNumber(c, c.livenessProbe.httpGet.port)).toBe(served);
        expect(portNumber(c, c.startupProbe.httpGet.port)).toBe(served);
        expect(c.readinessProbe.httpGet.path).toBe('/readyz');
        expect(c.startupProbe.httpGet.path).toBe('/readyz');
        expect(c.livenessProbe.httpGet.path).toBe('/healthz');
        expect(envValue(c, 'HOST')).toBe('0.0.0.0');
      }
    });

    it('manifests - every environment variable an app container sets is documented in docs/configuration.md', () => {
      for (const app of APPS) {
        const [c] = containersOf(find(objects, 'Deployment', app));
        const undocumented = (c.env ?? []).map((e) => e.name).filter((name) => !new RegExp(`^\\|\\s*\`${name}\``, 'm').test(docsConfig));
        expect({ app, undocumented }).toEqual({ app, undocumented: [] });
      }
    });

    it('manifests - names, images, requests/limits and anti-affinity line up for every app', () => {
      for (const app of APPS) {
        const d = find(objects, 'Deployment', app);
        const [c] = containersOf(d);
        expect(c.name).toBe(app);
        expect(c.image).toMatch(new RegExp(`(^|/)relay/${app}:[\\w.-]+$`));
        expect(c.image).not.toMatch(/:latest$/);
        expect(labelsMatch(d.spec.selector.matchLabels, d.spec.template.metadata.labels)).toBe(true);
        expect(c.resources.requests.cpu).toBeDefined();
        expect(c.resources.limits.memory).toBeDefined();
        expect(d.spec.template.spec.affinity.podAntiAffinity).toBeDefined();
        const hpa = find(objects, 'HorizontalPodAutoscaler', app);
        expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: app });
        expect(hpa.spec.minReplicas).toBeLessThanOrEqual(hpa.spec.maxReplicas);
        const pdb = find(objects, 'PodDisruptionBudget', app);
        expect(labelsMatch(pdb.spec.selector.matchLabels, d.spec.template.metadata.labels)).toBe(true);
      }
    });

    it('manifests - every Service selects pods and targets a named container port; the Ingress backend exists', () => {
      const workloads = [...byKind(objects, 'Deployment'), ...byKind(objects, 'StatefulSet')];
      for (const svc of byKind(objects, 'Service')) {
        const target = workloads.find((w) => labelsMatch(svc.spec.selector, w.spec.template.metadata.labels));
        expect({ svc: svc.metadata.name, selects: target?.metadata.name }).toEqual({ svc: svc.metadata.name, selects: expect.any(String) });
        const [c] = containersOf(target as K8sObject);
        for (const p of svc.spec.ports) expect({ svc: svc.metadata.name, port: portNumber(c, p.targetPort) }).toEqual({ svc: svc.metadata.name, port: expect.any(Number) });
      }
      const ingress = find(objects, 'Ingress', 'relay');
      const backend = ingress.spec.rules[0].http.paths[0].backend.service;
      expect(backend.name).toBe('ws-gateway');
      expect(find(objects, 'Service', 'ws-gateway').spec.ports.map((p: { name: string }) => p.name)).toContain(backend.port.name);
      expect(ingress.spec.tls[0].hosts).toContain(ingress.spec.rules[0].host);
    });

    it('manifests - the gateway drains within its grace period and the Ingress outlives the ping interval', () => {
      const gw = find(objects, 'Deployment', 'ws-gateway');
      const [c] = containersOf(gw);
      const preStopMs = Number(c.lifecycle.preStop.exec.command[1]) * 1000;
      const shutdownMs = Number(envValue(c, 'SHUTDOWN_TIMEOUT_MS'));
      expect(preStopMs + shutdownMs).toBeLessThan(gw.spec.template.spec.terminationGracePeriodSeconds * 1000);
      // The paced 1012 closes take a real part of the shutdown (the gateway accepts 0..80).
      const spread = Number(envValue(c, 'DRAIN_SPREAD_PERCENT'));
      expect(spread).toBeGreaterThanOrEqual(20);
      expect(spread).toBeLessThanOrEqual(80);
      const annotations = find(objects, 'Ingress', 'relay').metadata.annotations ?? {};
      const pingMs = Number(envValue(c, 'PING_INTERVAL_MS'));
      expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-read-timeout']) * 1000).toBeGreaterThan(2 * pingMs);
      expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-send-timeout']) * 1000).toBeGreaterThan(2 * pingMs);
    });

    it('manifests - only the gateways accept traffic from outside; everything else is denied by default', () => {
      const policies = byKind(objects, 'NetworkPolicy');
      const defaultDeny = policies.find((p) => Object.keys(p.spec.podSelector).length === 0 && !p.spec.ingress);
      expect(defaultDeny?.spec.policyTypes).toContain('Ingress');
      const open = policies.filter((p) => (p.spec.ingress ?? []).some((rule: { from?: unknown[] }) => !rule.from || rule.from.length === 0));
      expect(open.map((p) => p.spec.podSelector.matchLabels)).toEqual([{ 'relay.dev/role': 'edge' }]);
      const gwLabels = find(objects, 'Deployment', 'ws-gateway').spec.template.metadata.labels;
      expect(gwLabels['relay.dev/role']).toBe('edge');
      for (const app of APPS.filter((a) => a !== 'ws-gateway')) {
        expect(find(objects, 'Deployment', app).spec.template.metadata.labels['relay.dev/role']).toBe('service');
      }
    });

    it('manifests - NATS is a 3-node cluster with JetStream storage; Redis persists with AOF fsync every second', () => {
      const nats = find(objects, 'StatefulSet', 'relay-nats');
      expect(nats.spec.replicas).toBe(3);
      expect(nats.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
      const conf = find(objects, 'ConfigMap', 'relay-nats-config').data['nats.conf'] as string;
      expect(conf).toMatch(/cluster \{[\s\S]*name: relay[\s\S]*routes: \[/);
      const natsEnv = containersOf(nats)[0].env ?? [];
      for (let i = 0; i < 3; i++) {
        expect(conf).toContain(`$ROUTE_URL_${i}`);
        expect(natsEnv.find((e) => e.name === `ROUTE_URL_${i}`)?.value).toBe(`nats://route:$(ROUTE_PASSWORD)@relay-nats-${i}.${nats.spec.serviceName}:6222`);
      }
      expect(conf).toMatch(/jetstream \{\s*store_dir: \/data\/jetstream/);
      const redis = containersOf(find(objects, 'StatefulSet', 'relay-redis'))[0];
      expect(redis.args.join(' ')).toContain('--appendonly yes --appendfsync everysec');
      expect(redis.args).toContain('--requirepass');
    });

    it('manifests - every Secret the pods read is rendered (dev) or created by the commands in docs/deployment.md (prod)', () => {
      const refs = new Set<string>();
      for (const w of [...byKind(objects, 'Deployment'), ...byKind(objects, 'StatefulSet')]) {
        for (const c of containersOf(w)) for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) refs.add(`${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`);
      }
      for (const t of find(objects, 'Ingress', 'relay').spec.tls) refs.add(`${t.secretName}/tls.crt`);
      expect(refs.size).toBeGreaterThanOrEqual(5);
      const secrets = byKind(objects, 'Secret');
      for (const ref of refs) {
        const [name, key] = ref.split('/');
        if (overlay.endsWith('dev')) {
          const s = secrets.find((x) => x.metadata.name === name);
          expect({ ref, found: Boolean(s && key in { ...(s.data ?? {}), ...(s.stringData ?? {}) }) }).toEqual({ ref, found: true });
        } else {
          // Production never renders secrets: docs/deployment.md shows how each one is created.
          expect(secrets).toEqual([]);
          const created = new RegExp(`kubectl[^\\n]*create secret \\w+ ${name}\\b[\\s\\S]*?(--from-literal=|--)${key.replace('.', '\\.')}`);
          expect({ ref, documented: created.test(docsDeployment) || (key === 'tls.crt' && new RegExp(`create secret tls ${name}\\b`).test(docsDeployment)) }).toEqual({ ref, documented: true });
        }
      }
    });
  });
});
