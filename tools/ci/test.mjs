#!/usr/bin/env node
// `npm test`: lint, typecheck and every test of every project, then one plain closing line
// "N passed, N failed" summed over all projects (a failed lint or typecheck task counts as a
// failure, and so does a project whose tests never reported).
//   npm test                 everything
//   npm test -- --affected   only projects affected since the default base (nx.json defaultBase, main)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installIfNeeded } from '../dev-start/src/prepare.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// On a fresh clone `npm test` works as the first command too: install what npm installs.
await installIfNeeded(root);
const resultsDir = join(root, 'tmp/test-results');
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });

const affected = process.argv.includes('--affected');
const args = [
  'nx',
  affected ? 'affected' : 'run-many',
  '-t',
  'lint',
  'typecheck',
  'test',
  '--output-style=static',
  '--parallel=2',
];
if (process.env.CI) args.push('--skip-nx-cache');

const child = spawn('npx', args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });
let output = '';
child.stdout.on('data', (b) => {
  output += b;
  process.stdout.write(b);
});
child.stderr.on('data', (b) => {
  output += b;
  process.stderr.write(b);
});
const code = await new Promise((r) => child.on('close', r));

let passed = 0;
let failed = 0;
let skipped = 0;
const reported = new Set();
if (existsSync(resultsDir)) {
  for (const f of readdirSync(resultsDir)) {
    const r = JSON.parse(readFileSync(join(resultsDir, f), 'utf8'));
    reported.add(r.project);
    passed += r.passed;
    failed += r.failed + r.brokenSuites;
    skipped += r.skipped;
  }
}

// Nx lists failed tasks as "- project:target" after "Failed tasks:".
const failedTasks = [];
const section = output.split(/Failed tasks:/)[1] ?? '';
for (const m of section.matchAll(/^\s*-\s+([\w-]+):([\w-]+)/gm)) failedTasks.push({ project: m[1], target: m[2] });
for (const t of failedTasks) {
  if (t.target !== 'test' || !reported.has(t.project)) {
    failed += 1;
    console.log(`failed task: ${t.project}:${t.target}`);
  }
}
if (code !== 0 && failed === 0) {
  failed = 1;
  console.log(`nx exited with code ${code}`);
}
if (passed === 0 && failed === 0 && !affected) {
  failed = 1;
  console.log('no test ran');
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
