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

  it('service generator - writes the service, its contract, compose entry and docs page', () => {
    for (const file of ['src/main.ts', 'src/app.ts', 'src/config.ts', 'src/errors.ts', 'src/metrics.ts', 'src/audit-store.ts', 'test/audit.spec.ts', 'project.json']) {
      expect(existsSync(join(dir, 'apps', NAME, file))).toBe(true);
    }
    expect(readFileSync(join(dir, 'apps', NAME, 'src/main.ts'), 'utf8')).toContain('runService(auditService');
    expect(readFileSync(join(dir, 'libs/contracts/src/catalog.ts'), 'utf8')).toContain("subject: 'audit.v1.status'");
    expect(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')).toContain(`args: { APP: ${NAME} }`);
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toMatch(/^# APP: .*\| audit-service$/m);
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain(`[docs/${NAME}.md](docs/${NAME}.md)`);
    expect(existsSync(join(dir, 'docs', `${NAME}.md`))).toBe(true);
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

  it('service generator - the new service is in the project graph and in `nx affected`', async () => {
    const { stdout } = await run('npx', ['nx', 'show', 'projects', '--affected', '--base=HEAD', '--json'], { cwd: dir, env, maxBuffer: 16 * 1024 * 1024 });
    expect(JSON.parse(stdout) as string[]).toContain(NAME);
  }, 120000);
});
