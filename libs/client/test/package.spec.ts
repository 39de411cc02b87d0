/**
 * The published shape of @relay/client: the build script's ESM and CJS files load in Node and
 * export the client; the browser bundle stays within its size budget, pulls in nothing of Node
 * and tree-shakes (importing one helper does not drag the client along).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const LIB = resolve(__dirname, '..');
/** Minified + gzipped bytes of the whole client in a browser bundle. Raise it on purpose, never by accident. */
const SIZE_BUDGET_GZIP = 6 * 1024;

async function browserBundle(entry: string): Promise<string> {
  const result = await build({
    stdin: { contents: entry, resolveDir: LIB, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    tsconfig: join(LIB, 'tsconfig.json'),
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

describe('@relay/client package', () => {
  let app: string;
  let out: string;

  beforeAll(() => {
    // An application folder with the built package installed as node_modules/@relay/client.
    app = mkdtempSync(join(tmpdir(), 'relay-client-pkg-'));
    out = join(app, 'node_modules/@relay/client');
    execFileSync(process.execPath, [join(LIB, 'scripts/build.mjs'), out], { stdio: 'pipe' });
  }, 120_000);

  afterAll(() => {
    if (app) rmSync(app, { recursive: true, force: true });
  });

  it('package - an application imports it by name from ESM and CJS, with declarations', () => {
    const pkg = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')) as { name: string; exports: { '.': Record<string, string> }; sideEffects: boolean };
    expect(pkg.name).toBe('@relay/client');
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.exports['.']).toEqual({ types: './index.d.ts', import: './index.mjs', require: './index.cjs' });
    // As an application would: `import` from an ES module and `require` from CommonJS, by package name.
    writeFileSync(join(app, 'esm.mjs'), "import { RelayClient, RelayError } from '@relay/client'; console.log(typeof RelayClient, typeof RelayError);");
    writeFileSync(join(app, 'cjs.cjs'), "const { RelayClient, RelayError } = require('@relay/client'); console.log(typeof RelayClient, typeof RelayError);");
    for (const file of ['esm.mjs', 'cjs.cjs']) {
      expect(execFileSync(process.execPath, [join(app, file)], { cwd: app, encoding: 'utf8' }).trim()).toBe('function function');
    }
    const dts = readFileSync(join(out, 'types/libs/client/src/relay-client.d.ts'), 'utf8');
    expect(dts).toContain('export declare class RelayClient');
    expect(readFileSync(join(out, 'types/libs/client/src/frames.d.ts'), 'utf8')).not.toContain('@relay/contracts');
  });

  it('package - the browser bundle has no Node built-in and fits the size budget', async () => {
    const code = await browserBundle("export { RelayClient } from './src/index';");
    expect(code).not.toMatch(/require\(|from ?"node:|"ws"/);
    const gz = gzipSync(code).length;
    expect(gz).toBeLessThan(SIZE_BUDGET_GZIP);
  });

  it('package - tree-shakable: importing backoffDelay alone leaves the client out', async () => {
    const code = await browserBundle("export { backoffDelay } from './src/index';");
    expect(code).not.toContain('RelayClient');
    expect(code.length).toBeLessThan(500);
  });
});
