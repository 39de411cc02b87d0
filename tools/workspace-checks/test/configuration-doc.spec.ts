import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const DOC = resolve(ROOT, 'docs/configuration.md');

/** Every env var an app or the service kit reads (envInt / envString / envBool, or env.NAME). */
function variablesReadByCode(): Map<string, string[]> {
  const sources = [resolve(ROOT, 'libs/service-kit/src/env.ts'), resolve(ROOT, 'libs/service-kit/src/connection-settings.ts')];
  for (const app of readdirSync(resolve(ROOT, 'apps'))) {
    const config = resolve(ROOT, 'apps', app, 'src/config.ts');
    if (existsSync(config)) sources.push(config);
  }
  const found = new Map<string, string[]>();
  for (const file of sources) {
    for (const m of readFileSync(file, 'utf8').matchAll(/env(?:Int|String|Bool)\(\s*'([A-Z][A-Z0-9_]*)'|\benv\.([A-Z][A-Z0-9_]*)/g)) {
      const name = m[1] ?? m[2];
      found.set(name, [...(found.get(name) ?? []), file.slice(ROOT.length + 1)]);
    }
  }
  return found;
}

/** Variable names in the first column of the doc's tables. */
function variablesDocumented(): Set<string> {
  const names = new Set<string>();
  for (const m of readFileSync(DOC, 'utf8').matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`/gm)) names.add(m[1]);
  return names;
}

describe('configuration doc', () => {
  it('configuration doc - every environment variable the apps read is in a table of docs/configuration.md', () => {
    const read = variablesReadByCode();
    expect(read.size).toBeGreaterThan(10);
    const documented = variablesDocumented();
    const missing = [...read.entries()].filter(([name]) => !documented.has(name)).map(([name, files]) => `${name} (${files.join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('configuration doc - documents no variable that no code reads', () => {
    const read = variablesReadByCode();
    // The start command's own variables live in tools/dev-start, not in an app's config.ts.
    const devStart = readFileSync(resolve(ROOT, 'tools/dev-start/src/options.mjs'), 'utf8');
    const stale = [...variablesDocumented()].filter((name) => !read.has(name) && !devStart.includes(`'${name}'`));
    expect(stale).toEqual([]);
  });
});

