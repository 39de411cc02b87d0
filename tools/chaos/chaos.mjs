#!/usr/bin/env node
// `npm run chaos -- <options>`: builds the apps and the chaos tool when needed (Nx skips what is
// up to date; the build output is shown only when it fails), then runs the chaos tool with the
// same arguments and exits with its exit code. `npm run chaos -- --help` lists the options.
import { spawn, spawnSync } from 'node:child_process';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const projects = 'ws-gateway,chat-service,presence-service,notification-service,chaos';

if (!process.argv.includes('--help')) {
  process.stderr.write(`chaos: building (npx nx run-many -t build -p ${projects}) ...\n`);
  const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', projects, '--output-style=static'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NX_TUI: 'false' },
  });
  if (build.status !== 0) {
    process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}\nchaos: the build failed (exit ${build.status})\n`);
    process.exit(build.status || 1);
  }
}

const child = spawn(process.execPath, [join(root, 'dist/tools/chaos/main.js'), ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
// Ctrl-C reaches the child through the terminal's process group; forward a plain kill too.
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 1));
