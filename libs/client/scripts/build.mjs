#!/usr/bin/env node
// Builds the publishable @relay/client package: an ES module and a CommonJS file bundled by
// esbuild for any platform (a Node built-in import fails the build, so the browser build can
// never pick one up), type declarations from tsc, and the package.json beside them.
// Usage: node libs/client/scripts/build.mjs [outDir]   (default dist/libs/client)
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const lib = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = resolve(lib, '../..');
const out = resolve(root, process.argv[2] ?? 'dist/libs/client');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const common = {
  entryPoints: [join(lib, 'src/index.ts')],
  bundle: true,
  platform: 'neutral',
  target: 'es2022',
  sourcemap: true,
  tsconfig: join(lib, 'tsconfig.json'),
  logLevel: 'warning',
};
await build({ ...common, format: 'esm', outfile: join(out, 'index.mjs') });
await build({ ...common, format: 'cjs', outfile: join(out, 'index.cjs') });

// Declarations: tsc writes the client's and the contracts' .d.ts (the frame types come from
// there); the alias @relay/contracts becomes a relative path so the package stands alone.
const types = join(out, 'types');
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(lib, 'tsconfig.json'), '--declaration', '--emitDeclarationOnly', '--noEmit', 'false', '--sourceMap', 'false', '--outDir', types], { stdio: 'inherit' });
const clientTypes = join(types, 'libs/client/src');
for (const file of walk(clientTypes)) {
  const rel = relative(dirname(file), join(types, 'libs/contracts/src/index')).replace(/\\/g, '/');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/(['"])@relay\/contracts\1/g, `'${rel.startsWith('.') ? rel : `./${rel}`}'`));
}
writeFileSync(join(out, 'index.d.ts'), "export * from './types/libs/client/src/index';\n");

copyFileSync(join(lib, 'package.json'), join(out, 'package.json'));
copyFileSync(join(lib, 'README.md'), join(out, 'README.md'));

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.d.ts') ? [p] : [];
  });
}
