// `npx nx g @relay/generators:service <name>-service`: a new service wired like the others. Writes
// apps/<name>-service (service kit definition, config, errors, metrics, a store, unit and
// real-server tests), its contract (a schema file and a catalog entry), a docker-compose entry,
// the Dockerfile's list of apps, and a docs page linked from the README.
// Plain CommonJS: Nx loads it as it is (the workspace has no TypeScript runner for plugins).
'use strict';
const { generateFiles, joinPathFragments, names } = require('@nx/devkit');

const DOCS_ANCHOR = '- [docs/adding-a-service.md](docs/adding-a-service.md)';
const COMPOSE_ANCHOR = '  # Two gateway replicas';

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

  const catalog = 'libs/contracts/src/catalog.ts';
  edit(tree, catalog, (s) => {
    const lastImport = s.lastIndexOf("import * as ");
    const lineEnd = s.indexOf('\n', lastImport) + 1;
    return `${s.slice(0, lineEnd)}import * as ${v.propertyName} from './schemas/${v.short}';\n${s.slice(lineEnd)}${catalogEntry(v)}`;
  });
  edit(tree, 'libs/contracts/src/index.ts', (s) =>
    insertBefore(s, "export { paramsFrom", `export * from './schemas/${v.short}';\n`, 'libs/contracts/src/index.ts'),
  );
  edit(tree, 'docker-compose.yml', (s) => insertBefore(s, COMPOSE_ANCHOR, composeEntry(v, healthPort), 'docker-compose.yml'));
  edit(tree, 'Dockerfile', (s) => s.replace(/^(# APP: .*)$/m, `$1 | ${v.name}`));
  edit(tree, 'README.md', (s) => insertBefore(s, DOCS_ANCHOR, `- [docs/${v.name}.md](docs/${v.name}.md): ${v.name}, made by the service generator\n`, 'README.md'));

  return () => {
    console.log(`\n${v.name} created. Next: npx nx run-many -t lint typecheck test -p ${v.name} --output-style=static`);
  };
}

module.exports = serviceGenerator;
module.exports.default = serviceGenerator;
