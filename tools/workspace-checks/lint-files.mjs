#!/usr/bin/env node
// Lints files with the workspace's real ESLint configuration through the ESLint Node API and
// prints the results as JSON: [{ file, messages: [{ ruleId, severity, line, message }] }].
//   node tools/workspace-checks/lint-files.mjs apps/chat-service/src/some-file.ts ...
// A separate process because ESLint loads eslint.config.mjs with a dynamic import, which Jest's
// module sandbox does not allow.
import { ESLint } from 'eslint';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: node tools/workspace-checks/lint-files.mjs <file>...\n');
  process.exit(2);
}

const eslint = new ESLint({ cwd: root });
const results = await eslint.lintFiles(files.map((f) => resolve(root, f)));
const summary = results.map((r) => ({
  file: relative(root, r.filePath),
  messages: r.messages.map((m) => ({ ruleId: m.ruleId, severity: m.severity, line: m.line, message: m.message })),
}));
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
