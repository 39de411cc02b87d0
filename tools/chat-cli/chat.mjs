#!/usr/bin/env node
// `npm run chat -- --user alice --room lobby`: runs the terminal chat client (TypeScript in
// tools/chat-cli/src, built by Nx to dist/tools/chat-cli). Builds it first, quietly, when the
// build is missing or older than its sources; build errors are shown and end the run.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const entry = join(root, 'dist/tools/chat-cli/main.js');

function newestMtime(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(path).filter((n) => !n.endsWith('.spec.ts')).map((n) => newestMtime(join(path, n))));
}

const sources = [join(here, 'src'), join(here, 'project.json'), join(here, 'tsconfig.json')];
const stale = !existsSync(entry) || statSync(entry).mtimeMs < Math.max(...sources.map(newestMtime));
if (stale) {
  const build = spawnSync('npx', ['nx', 'build', 'chat-cli', '--output-style=static'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NX_TUI: 'false', FORCE_COLOR: '0' },
  });
  if (build.status !== 0 || !existsSync(entry)) {
    process.stderr.write(`chat: building the client failed (npx nx build chat-cli):\n${build.stdout ?? ''}${build.stderr ?? ''}${build.error ? String(build.error) : ''}\n`);
    process.exit(build.status || 1);
  }
  // Nx may restore an identical output from its cache without touching it: mark it fresh.
  const now = new Date();
  utimesSync(entry, now, now);
}

// The built client reads process.argv, stdin and sets the exit code itself.
createRequire(import.meta.url)(entry);
