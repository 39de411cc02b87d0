import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '../../..');
const LINT = resolve(ROOT, 'tools/workspace-checks/lint-files.mjs');
const RULE = '@nx/enforce-module-boundaries';

interface LintResult {
  file: string;
  messages: { ruleId: string | null; severity: number; line: number; message: string }[];
}

interface Probe {
  /** Source folder of the project the probe pretends to belong to. */
  dir: string;
  source: string;
}

/**
 * Writes throw-away source files into real project folders (unique names, removed again whatever
 * happens) and lints them with the workspace's own ESLint configuration, as `nx lint` does.
 */
async function lintProbes(probes: Record<string, Probe>): Promise<Map<string, LintResult>> {
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const paths = Object.entries(probes).map(([name, probe]) => `${probe.dir}/__boundary-probe-${name}-${tag}.ts`);
  try {
    Object.values(probes).forEach((probe, i) => writeFileSync(resolve(ROOT, paths[i]), probe.source));
    const { stdout } = await promisify(execFile)(process.execPath, [LINT, ...paths], { cwd: ROOT, maxBuffer: 10 * 1024 * 1024 });
    const results = JSON.parse(stdout) as LintResult[];
    return new Map(Object.keys(probes).map((name, i) => [name, results.find((r) => r.file === paths[i]) as LintResult]));
  } finally {
    for (const p of paths) rmSync(resolve(ROOT, p), { force: true });
  }
}

/** The messages of one rule for one probe. */
function violations(results: Map<string, LintResult>, probe: string, rule: string) {
  const result = results.get(probe);
  if (!result) throw new Error(`probe ${probe} was not linted`);
  return result.messages.filter((m) => m.ruleId === rule);
}

// The probes are real files for a moment (the rule finds a file's project through the project
// graph). project.json runs this test after the lint and typecheck of the projects it writes
// into, so a parallel `npm test` never sees a probe there.
describe('boundaries', () => {
  let results: Map<string, LintResult>;

  beforeAll(async () => {
    results = await lintProbes({
      // One app reaching into another: exactly what the rule exists to stop.
      'app-import': { dir: 'apps/chat-service/src', source: "import { buildApp } from '../../ws-gateway/src/app';\n\nexport const probe = buildApp;\n" },
      // The control: the same place importing a lib through its public alias is allowed.
      'lib-import': { dir: 'apps/chat-service/src', source: "import { Bus } from '@relay/bus';\n\nexport const probe = Bus;\n" },
      // The tag constraints are live too: the contracts (scope:contracts) may depend on nothing of ours.
      'tag-violation': { dir: 'libs/contracts/src', source: "import { serverArgs } from '@relay/local-servers';\n\nexport const probe = serverArgs;\n" },
      // type:test: app code may not import the test harness ...
      'app-imports-testing': { dir: 'apps/chat-service/src', source: "import { waitFor } from '@relay/testing';\n\nexport const probe = waitFor;\n" },
      // ... while its tests may (the control; a file under test/ is test code, and no Jest run picks it up).
      'spec-imports-testing': { dir: 'apps/chat-service/test', source: "import { waitFor } from '@relay/testing';\n\nexport const probe = waitFor;\n" },
      // platform:shared: the contracts may not use a Node built-in ...
      'shared-imports-node': { dir: 'libs/contracts/src', source: "import { randomBytes } from 'node:crypto';\n\nexport const probe = randomBytes;\n" },
      // ... nor an npm package outside its allow-list (a Node-only lib of ours is refused by tag-violation).
      'shared-imports-npm': { dir: 'libs/contracts/src', source: "import Redis from 'ioredis';\n\nexport const probe = Redis;\n" },
      // platform:browser: the web page may not import a Node-only lib.
      'browser-imports-node-lib': { dir: 'apps/web-chat/src', source: "import { createLogger } from '@relay/service-kit';\n\nexport const probe = createLogger;\n" },
      // Apps reach NATS through @relay/bus, never nats.js directly.
      'app-imports-nats': { dir: 'apps/chat-service/src', source: "import type { Subscription } from 'nats';\n\nexport type Probe = Subscription;\n" },
    });
  }, 60000);

  it('boundaries - an app importing another app fails lint with an enforce-module-boundaries error', () => {
    const probe = results.get('app-import');
    expect(probe).toBeDefined();
    const violations = probe?.messages.filter((m) => m.ruleId === RULE) ?? [];
    expect(violations).toHaveLength(1);
    expect(violations[0].severity).toBe(2);
    expect(violations[0].line).toBe(1);
  });

  it('boundaries - an app importing a lib through its alias passes the rule', () => {
    const probe = results.get('lib-import');
    expect(probe).toBeDefined();
    expect(probe?.messages.filter((m) => m.ruleId === RULE)).toEqual([]);
  });

  it('boundaries - a lib importing outside its allowed tags fails lint (depConstraints are at error level)', () => {
    const violations = results.get('tag-violation')?.messages.filter((m) => m.ruleId === RULE) ?? [];
    expect(violations).toHaveLength(1);
    expect(violations[0].severity).toBe(2);
    expect(violations[0].message).toContain('scope:contracts');
  });

  it('boundaries - app code importing the test harness (type:test) fails lint', () => {
    const found = violations(results, 'app-imports-testing', RULE);
    expect(found).toHaveLength(1);
    expect(found[0].message).toContain('type:lib');
  });

  it('boundaries - a spec of the same app may import the test harness', () => {
    expect(violations(results, 'spec-imports-testing', RULE)).toEqual([]);
  });

  it('boundaries - platform:shared code importing a Node built-in fails lint', () => {
    const found = violations(results, 'shared-imports-node', 'no-restricted-imports');
    expect(found).toHaveLength(1);
    expect(found[0].message).toContain('no Node built-in modules');
  });

  it('boundaries - platform:shared code importing an npm package off its allow-list fails lint', () => {
    const found = violations(results, 'shared-imports-npm', RULE);
    expect(found).toHaveLength(1);
    expect(found[0].message).toContain('ioredis');
  });

  it('boundaries - platform:browser code importing a Node-only lib fails lint', () => {
    const found = violations(results, 'browser-imports-node-lib', RULE);
    expect(found).toHaveLength(1);
    expect(found[0].message).toContain('platform:browser');
  });

  it('boundaries - an app module importing nats directly fails lint (the bus is the way to NATS)', () => {
    const found = violations(results, 'app-imports-nats', 'no-restricted-imports');
    expect(found).toHaveLength(1);
    expect(found[0].message).toContain('@relay/bus');
  });
});
