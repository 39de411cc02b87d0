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

/**
 * Names read through a template, one per instance of something (`STREAM_${s.name}_MAX_BYTES`):
 * as patterns, each `${...}` standing for an upper-case name part.
 */
function variablePatternsReadByCode(): Map<RegExp, string> {
  const file = resolve(ROOT, 'libs/service-kit/src/env.ts');
  const patterns = new Map<RegExp, string>();
  for (const m of readFileSync(file, 'utf8').matchAll(/env(?:Int|String|Bool)\(\s*`([A-Z][A-Z0-9_]*(?:\$\{[^}]+\}[A-Z0-9_]*)+)`/g)) {
    const source = m[1].split(/\$\{[^}]+\}/).map((part) => part.replace(/[^A-Z0-9_]/g, '')).join('[A-Z0-9_]+');
    patterns.set(new RegExp(`^${source}$`), m[1]);
  }
  return patterns;
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
    const patterns = [...variablePatternsReadByCode().keys()];
    const stale = [...variablesDocumented()].filter((name) => !read.has(name) && !patterns.some((p) => p.test(name)) && !devStart.includes(`'${name}'`));
    expect(stale).toEqual([]);
  });

  it('configuration doc - a variable read through a template has at least one documented instance', () => {
    const patterns = variablePatternsReadByCode();
    expect(patterns.size).toBeGreaterThan(0);
    const documented = [...variablesDocumented()];
    const undocumented = [...patterns.entries()].filter(([p]) => !documented.some((name) => p.test(name))).map(([, template]) => template);
    expect(undocumented).toEqual([]);
  });
});

