#!/usr/bin/env node
// `npm run loadtest -- <options>`: builds the load tester when its bundle is missing or older than
// its sources (quietly; the build output is shown only when it fails), then runs it with the same
// arguments and exits with its exit code. `npm run loadtest -- --help` lists the options.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bundle = join(root, 'dist/tools/loadtest/main.js');
const sources = join(root, 'tools/loadtest/src');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

if (!existsSync(bundle) || statSync(bundle).mtimeMs < newestSource(sources)) {
  process.stderr.write('loadtest: building (npx nx build loadtest) ...\n');
  const build = spawnSync('npx', ['nx', 'build', 'loadtest', '--output-style=static'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NX_TUI: 'false' },
  });
  if (build.status !== 0) {
    process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}\nloadtest: the build failed (exit ${build.status})\n`);
    process.exit(build.status || 1);
  }
}

const child = spawn(process.execPath, [bundle, ...process.argv.slice(2)], { stdio: 'inherit' });
// Ctrl-C reaches the child through the terminal's process group; forward a plain kill too.
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 1));
