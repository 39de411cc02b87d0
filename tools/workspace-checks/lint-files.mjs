#!/usr/bin/env node
// Lints files with the workspace's real ESLint configuration through the ESLint Node API and
// prints the results as JSON: [{ file, messages: [{ ruleId, severity, line, message }] }].
//   node tools/workspace-checks/lint-files.mjs apps/chat-service/src/some-file.ts ...
// Each file is linted from its project's folder with that project's eslint.config.mjs, exactly as
// `nx lint <project>` runs (project configs add rules of their own, e.g. platform rules).
// A separate process because ESLint loads eslint.config.mjs with a dynamic import, which Jest's
// module sandbox does not allow.
import { ESLint } from 'eslint';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: node tools/workspace-checks/lint-files.mjs <file>...\n');
  process.exit(2);
}

/** The nearest folder above `file` with a project.json: where `nx lint` runs ESLint. */
function projectDirOf(file) {
  for (let dir = dirname(file); dir.startsWith(root); dir = dirname(dir)) {
    if (existsSync(join(dir, 'project.json'))) return dir;
  }
  return root;
}

const summary = [];
for (const file of files.map((f) => resolve(root, f))) {
  const eslint = new ESLint({ cwd: projectDirOf(file) });
  for (const r of await eslint.lintFiles([file])) {
    summary.push({
      file: relative(root, r.filePath),
      messages: r.messages.map((m) => ({ ruleId: m.ruleId, severity: m.severity, line: m.line, message: m.message })),
    });
  }
}
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
