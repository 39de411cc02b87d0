import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '../../..');
const run = promisify(execFile);
const NAME = 'audit-service';

/**
 * The generator runs in a copy of the workspace (the files git knows, as they are now), never in
 * the real one. Its cost stays bounded: node_modules is a symlink, not a copy; Nx runs without a
 * daemon and with the copy's own cache folder; only the generated project's targets run.
 */
async function workspaceCopy(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'relay-generator-'));
  const { stdout } = await run('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  for (const file of stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(ROOT, file))) continue;
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(ROOT, file), join(dir, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const git = (...args: string[]) => run('git', ['-c', 'user.email=generator@test', '-c', 'user.name=generator-test', ...args], { cwd: dir });
  await git('init', '-q');
  await git('add', '-A');
  await git('commit', '-qm', 'workspace before the generator');
  return dir;
}

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0', CI: 'true' };

describe('service generator', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await workspaceCopy();
    await run('npx', ['nx', 'g', '@relay/generators:service', NAME, '--no-interactive'], { cwd: dir, env, maxBuffer: 16 * 1024 * 1024 });
  }, 180000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('service generator - writes the service, its contract, compose entry, docs page and Kubernetes file', () => {
    for (const file of ['src/main.ts', 'src/app.ts', 'src/config.ts', 'src/errors.ts', 'src/metrics.ts', 'src/audit-store.ts', 'test/audit.spec.ts', 'project.json']) {
      expect(existsSync(join(dir, 'apps', NAME, file))).toBe(true);
    }
    expect(readFileSync(join(dir, 'apps', NAME, 'src/main.ts'), 'utf8')).toContain('runService(auditService');
    expect(readFileSync(join(dir, 'libs/contracts/src/catalog.ts'), 'utf8')).toContain("subject: 'audit.v1.status'");
    expect(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')).toContain(`args: { APP: ${NAME} }`);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toMatch(/^# APP: .*\| audit-service$/m);
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain(`[docs/${NAME}.md](docs/${NAME}.md)`);
    expect(existsSync(join(dir, 'docs', `${NAME}.md`))).toBe(true);
    expect(existsSync(join(dir, 'deploy/k8s/base', `${NAME}.yaml`))).toBe(true);
    expect(readFileSync(join(dir, 'deploy/k8s/base/kustomization.yaml'), 'utf8')).toContain(`  - ${NAME}.yaml\n`);
  });

  it('service generator - the generated service lints, typechecks and passes its tests against real NATS and Redis', async () => {
    const result = await run('npx', ['nx', 'run-many', '-t', 'lint', 'typecheck', 'test', '-p', NAME, 'contracts', '--skip-nx-cache', '--output-style=static'], {
      cwd: dir,
      env,
      maxBuffer: 64 * 1024 * 1024,
    }).catch((err: { stdout?: string; stderr?: string }) => {
      throw new Error(`nx run-many failed:\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
    });
    expect(result.stdout).toContain('Successfully ran targets lint, typecheck, test');
    // The summary reporter's record: the generated tests really ran.
    const summary = JSON.parse(readFileSync(join(dir, 'tmp/test-results', `${NAME}.json`), 'utf8')) as { passed: number; failed: number };
    expect(summary.failed).toBe(0);
    expect(summary.passed).toBeGreaterThanOrEqual(4);
  }, 300000);

  it('service generator - the Kubernetes manifests with the new service render, pass the schema and the deploy checks', async () => {
    // The deploy checks themselves, in the copy: APPS there is the Dockerfile's list, so every
    // per-app check (probes on the served port, documented env, names, images, HPA, PDB) covers the new service.
    const jest = await run('npx', ['jest', '-c', 'tools/deploy-checks/jest.config.cjs', 'tools/deploy-checks/test/manifests.spec.ts', '--json', '--ci'], {
      cwd: dir,
      env,
      maxBuffer: 64 * 1024 * 1024,
    }).catch((err: { stdout?: string; stderr?: string }) => {
      throw new Error(`deploy checks failed in the copy:\n${err.stderr ?? ''}\n${(err.stdout ?? '').slice(0, 4000)}`);
    });
    const outcome = JSON.parse(jest.stdout) as { success: boolean; numPassedTests: number; numFailedTests: number };
    expect(outcome).toMatchObject({ success: true, numFailedTests: 0 });
    expect(outcome.numPassedTests).toBeGreaterThanOrEqual(10);

    // And the facts about the new service, straight from the rendered overlays.
    const overlays = ['deploy/k8s/overlays/dev', 'deploy/k8s/overlays/prod'];
    const { stdout } = await run(process.execPath, ['tools/deploy-checks/src/validate.mjs', ...overlays], { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
    /* eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kubernetes objects, checked field by field */
    const report = JSON.parse(stdout) as Record<string, { objects: any[]; errors: string[] }>;
    const port = Number(/healthPort: (\d+)/.exec(readFileSync(join(dir, 'apps', NAME, 'src/config.ts'), 'utf8'))?.[1]);
    expect(port).toBeGreaterThan(0);
    for (const overlay of overlays) {
      const { objects, errors } = report[overlay];
      expect(errors).toEqual([]);
      const named = (kind: string) => objects.find((o) => o.kind === kind && o.metadata.name === NAME);
      const c = named('Deployment').spec.template.spec.containers[0];
      expect(c.env).toContainEqual({ name: 'HEALTH_PORT', value: String(port) });
      expect(c.ports).toContainEqual({ name: 'http', containerPort: port });
      expect([c.readinessProbe.httpGet.port, c.livenessProbe.httpGet.port, c.startupProbe.httpGet.port]).toEqual(['http', 'http', 'http']);
      expect(c.image).toBe(overlay.endsWith('dev') ? `relay/${NAME}:local` : `registry.example.com/relay/${NAME}:0.1.0`);
      expect(named('Service').spec.ports).toContainEqual({ name: 'http', port, targetPort: 'http' });
      expect(named('HorizontalPodAutoscaler').spec.minReplicas).toBe(overlay.endsWith('dev') ? 1 : 2);
      expect(named('PodDisruptionBudget')).toBeDefined();
      const scraped = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'services-scraped-by-monitoring');
      expect(scraped.spec.ingress[0].ports).toContainEqual({ protocol: 'TCP', port });
    }
  }, 120000);

  it('service generator - the new service is in the project graph and in `nx affected`', async () => {
    const { stdout } = await run('npx', ['nx', 'show', 'projects', '--affected', '--base=HEAD', '--json'], { cwd: dir, env, maxBuffer: 16 * 1024 * 1024 });
    expect(JSON.parse(stdout) as string[]).toContain(NAME);
  }, 120000);
});
