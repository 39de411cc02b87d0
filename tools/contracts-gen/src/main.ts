/**
 * Writes the generated contract files into docs/contracts/ (or the folder given as the first
 * argument), removing generated files that no longer have a source. Run with
 * `npx nx run contracts-gen:generate`.
 */
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { renderContracts } from './render';

export const GENERATED_DIR = 'docs/contracts';

function listFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((n) => (statSync(join(dir, n)).isDirectory() ? listFiles(join(dir, n)) : [join(dir, n)]));
}

const out = resolve(process.argv[2] ?? GENERATED_DIR);
const files = renderContracts();
for (const old of listFiles(out)) {
  const rel = relative(out, old).split('\\').join('/');
  if (rel.endsWith('.json') && !files.has(rel)) rmSync(old);
}
for (const [rel, content] of files) {
  mkdirSync(dirname(join(out, rel)), { recursive: true });
  writeFileSync(join(out, rel), content);
}
process.stdout.write(`contracts-gen: ${files.size} files in ${relative(process.cwd(), out) || '.'}\n`);
