// Install and build steps, run in the foreground with their own output (a Ctrl-C stops them).
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { info } from './output.mjs';

export const SERVICE_APPS = ['ws-gateway', 'chat-service', 'presence-service', 'notification-service', 'api'];
const WEB_APP = 'web-chat';

export class StepError extends Error {
  name = 'StepError';
}

function run(command, args, cwd) {
  info(`$ ${command} ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: 'inherit', shell: process.platform === 'win32' });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new StepError(`\`${command} ${args.join(' ')}\` failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

/**
 * node_modules is stale when package-lock.json changed after the last install. npm writes
 * node_modules/.package-lock.json on every install, so its time is the install time.
 */
export function installNeeded(root) {
  const lock = join(root, 'package-lock.json');
  const modules = join(root, 'node_modules');
  if (!existsSync(modules)) return 'node_modules is missing';
  const marker = existsSync(join(modules, '.package-lock.json')) ? join(modules, '.package-lock.json') : modules;
  if (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs) return 'package-lock.json is newer than node_modules';
  return undefined;
}

export async function installIfNeeded(root) {
  const why = installNeeded(root);
  if (!why) return;
  info(`${why}: installing dependencies`);
  await run('npm', ['ci', '--no-audit', '--no-fund'], root);
}

/** The apps to build: the services, gateway and api, and the web page once its project exists. */
export function appsToBuild(root) {
  const apps = [...SERVICE_APPS];
  if (existsSync(join(root, 'apps', WEB_APP, 'project.json'))) apps.push(WEB_APP);
  return apps;
}

export async function buildApps(root) {
  await run('npx', ['nx', 'run-many', '-t', 'build', '-p', ...appsToBuild(root), '--output-style=static'], root);
}

/** Without a build, dist must already hold every service. */
export function checkBuilt(root) {
  const missing = SERVICE_APPS.filter((app) => !existsSync(join(root, 'dist/apps', app, 'main.js')));
  if (missing.length > 0) {
    throw new StepError(`--no-build, but ${missing.map((a) => `dist/apps/${a}/main.js`).join(', ')} missing: run without --no-build (or \`npx nx run-many -t build\`)`);
  }
}
