// `npx nx g @relay/generators:service <name>-service`: a new service wired like the others. Writes
// apps/<name>-service (service kit definition, config, errors, metrics, a store, unit and
// real-server tests), its contract (a schema file and a catalog entry), a docker-compose entry,
// the Dockerfile's list of apps, a docs page linked from the README, and its Kubernetes objects
// (deploy/k8s: Deployment, Service, HPA, PDB, the monitoring NetworkPolicy port, both overlays).
// Plain CommonJS: Nx loads it as it is (the workspace has no TypeScript runner for plugins).
'use strict';
const { execFileSync } = require('node:child_process');
const { generateFiles, joinPathFragments, names } = require('@nx/devkit');

const DOCS_ANCHOR = '- [docs/adding-a-service.md](docs/adding-a-service.md)';
const COMPOSE_ANCHOR = '  # Two gateway replicas';
const K8S_BASE = 'deploy/k8s/base';
const K8S_DEV = 'deploy/k8s/overlays/dev/kustomization.yaml';
const K8S_PROD = 'deploy/k8s/overlays/prod/kustomization.yaml';

/** Every spelling of the name the templates need: audit-service → audit, Audit, audit, AUDIT, audit. */
function namesOf(name) {
  const short = name.replace(/-service$/, '');
  const n = names(short);
  return { name, short, className: n.className, propertyName: n.propertyName, constantName: n.constantName, snake: n.constantName.toLowerCase() };
}

function edit(tree, path, change) {
  const before = tree.read(path, 'utf-8');
  if (before === null) throw new Error(`${path} is missing`);
  const after = change(before);
  if (after === before) throw new Error(`${path}: nothing changed (has the layout moved? update tools/generators)`);
  tree.write(path, after);
}

function insertBefore(text, anchor, addition, path) {
  const at = text.indexOf(anchor);
  if (at < 0) throw new Error(`${path}: anchor "${anchor}" not found`);
  return text.slice(0, at) + addition + text.slice(at);
}

function catalogEntry(v) {
  return `
// --- ${v.name} ------------------------------------------------------------------------
export const ${v.className}Status = defineRequest({
  subject: '${v.short}.v1.status',
  type: '${v.short}.status',
  version: 1,
  request: ${v.propertyName}.${v.className}StatusRequest,
  reply: ${v.propertyName}.${v.className}StatusReply,
  queue: '${v.name}',
  // Who may ask it (NATS permissions are derived from this): the application's own backends.
  requesters: ['app-backend'],
});
`;
}

function composeEntry(v, port) {
  return `  ${v.name}:
    <<: *relay-service
    build: { context: ., dockerfile: Dockerfile, args: { APP: ${v.name} } }
    image: relay/${v.name}:local
    environment:
      <<: *relay-env
      HEALTH_PORT: "${port}"
      INSTANCE_ID: ${v.short}-1
    ports:
      - "${port}:${port}"
    healthcheck:
      test: ["CMD", "node", "-e", "fetch('http://127.0.0.1:${port}/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
      <<: *healthcheck

`;
}

/** Inserts `addition` (whole lines) after the last match of `lineRe` (one or more whole lines) in `text`. */
function insertAfterLast(text, lineRe, addition, path) {
  const hits = [...text.matchAll(new RegExp(lineRe.source, 'gm'))];
  if (hits.length === 0) throw new Error(`${path}: no line matches ${lineRe}`);
  const last = hits[hits.length - 1];
  const lineEnd = text.indexOf('\n', last.index + last[0].length) + 1;
  return text.slice(0, lineEnd) + addition + text.slice(lineEnd);
}

/** The same objects as the other services: the base file, its resource entry, the monitoring port, the overlays' images, replicas and HPA floor. */
function addKubernetesEntries(tree, v, healthPort) {
  const base = `${K8S_BASE}/kustomization.yaml`;
  edit(tree, base, (s) => insertAfterLast(s, /^ {2}- [a-z0-9-]+-service\.yaml$/, `  - ${v.name}.yaml\n`, base));
  const policies = `${K8S_BASE}/network-policies.yaml`;
  edit(tree, policies, (s) => {
    const at = s.indexOf('name: services-scraped-by-monitoring');
    if (at < 0) throw new Error(`${policies}: the services-scraped-by-monitoring policy is missing`);
    const end = s.indexOf('\n---', at) < 0 ? s.length : s.indexOf('\n---', at);
    const policy = s.slice(at, end);
    if (new RegExp(`port: ${healthPort} \\}`).test(policy)) throw new Error(`${policies}: port ${healthPort} is already open to monitoring; choose another --healthPort`);
    return s.slice(0, at) + insertAfterLast(policy, /^ +- \{ protocol: TCP, port: \d+ \}$/, `        - { protocol: TCP, port: ${healthPort} }\n`, policies) + s.slice(end);
  });
  edit(tree, K8S_DEV, (s) => {
    let out = insertAfterLast(s, /^ {2}- \{ name: relay\/[a-z0-9-]+, newTag: local \}$/, `  - { name: relay/${v.name}, newTag: local }\n`, K8S_DEV);
    out = insertAfterLast(out, /^ {2}- \{ name: [a-z0-9-]+-service, count: 1 \}$/, `  - { name: ${v.name}, count: 1 }\n`, K8S_DEV);
    const hpaPatch = `  - target: { kind: HorizontalPodAutoscaler, name: ${v.name} }\n    patch: |\n      - { op: replace, path: /spec/minReplicas, value: 1 }\n`;
    return insertAfterLast(out, /^ {2}- target: \{ kind: HorizontalPodAutoscaler, name: [a-z0-9-]+ \}\n {4}patch: \|(\n {6}- .*)+$/, hpaPatch, K8S_DEV);
  });
  edit(tree, K8S_PROD, (s) => {
    const m = /^ {2}- \{ name: relay\/[a-z0-9-]+, newName: (\S+)\/relay\/[a-z0-9-]+, newTag: ("[^"]+") \}$/m.exec(s);
    if (!m) throw new Error(`${K8S_PROD}: no image entry to copy the registry and tag from`);
    return insertAfterLast(s, /^ {2}- \{ name: relay\/[a-z0-9-]+, newName: .*\}$/, `  - { name: relay/${v.name}, newName: ${m[1]}/relay/${v.name}, newTag: ${m[2]} }\n`, K8S_PROD);
  });
}

async function serviceGenerator(tree, options) {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*-service$/.test(options.name || '')) {
    throw new Error(`name must be lower-case words joined by '-' ending in -service (e.g. audit-service), got "${options.name}"`);
  }
  const v = namesOf(options.name);
  const healthPort = options.healthPort ?? 9110;
  const appRoot = joinPathFragments('apps', v.name);
  if (tree.exists(joinPathFragments(appRoot, 'project.json'))) throw new Error(`${appRoot} exists already`);
  const subs = { ...v, healthPort, tmpl: '', __short__: v.short, __name__: v.name };

  generateFiles(tree, joinPathFragments(__dirname, 'files/app'), appRoot, subs);
  generateFiles(tree, joinPathFragments(__dirname, 'files/contracts'), 'libs/contracts/src/schemas', subs);
  generateFiles(tree, joinPathFragments(__dirname, 'files/docs'), 'docs', subs);
  generateFiles(tree, joinPathFragments(__dirname, 'files/k8s'), K8S_BASE, subs);
  addKubernetesEntries(tree, v, healthPort);

  const catalog = 'libs/contracts/src/catalog.ts';
  edit(tree, catalog, (s) => {
    const lastImport = s.lastIndexOf("import * as ");
    const lineEnd = s.indexOf('\n', lastImport) + 1;
    return `${s.slice(0, lineEnd)}import * as ${v.propertyName} from './schemas/${v.short}';\n${s.slice(lineEnd)}${catalogEntry(v)}`;
  });
  // The service connects to NATS as its own role: a bus role of the catalog.
  const roles = 'libs/contracts/src/catalog-types.ts';
  edit(tree, roles, (s) => {
    const updated = s.replace(/(export const BUS_ROLES = \[[^\]]*)\] as const;/, `$1, '${v.name}'] as const;`);
    if (updated === s) throw new Error(`${roles}: BUS_ROLES not found`);
    return updated;
  });
  edit(tree, 'libs/contracts/src/index.ts', (s) =>
    insertBefore(s, "export { paramsFrom", `export * from './schemas/${v.short}';\n`, 'libs/contracts/src/index.ts'),
  );
  edit(tree, 'docker-compose.yml', (s) => insertBefore(s, COMPOSE_ANCHOR, composeEntry(v, healthPort), 'docker-compose.yml'));
  edit(tree, 'Dockerfile', (s) => s.replace(/^(# APP: .*)$/m, `$1 | ${v.name}`));
  edit(tree, 'README.md', (s) => insertBefore(s, DOCS_ANCHOR, `- [docs/${v.name}.md](docs/${v.name}.md): ${v.name}, made by the service generator\n`, 'README.md'));

  return () => {
    // deploy/nats-auth/permissions.json is derived from the catalog, which now has a new role and
    // subject: regenerate it with the documented command (docs/security-nats.md).
    execFileSync('npx', ['jest', '-c', 'libs/contracts/jest.config.cjs', 'bus-permissions'], {
      cwd: tree.root,
      env: { ...process.env, UPDATE_NATS_PERMISSIONS: '1' },
      stdio: 'inherit',
    });
    console.log(`\n${v.name} created. Next: npx nx run-many -t lint typecheck test -p ${v.name} --output-style=static`);
  };
}

module.exports = serviceGenerator;
module.exports.default = serviceGenerator;
