import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const DOC = resolve(ROOT, 'docs/architecture.md');

/** The "where to change what" table of docs/architecture.md: every backticked path in its rows. */
function pathsInTable(): string[] {
  const text = readFileSync(DOC, 'utf8');
  const start = text.indexOf('## Where to change what');
  if (start < 0) throw new Error('docs/architecture.md has no "Where to change what" section');
  const end = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, end < 0 ? undefined : end);
  const paths: string[] = [];
  for (const row of section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---'))) {
    for (const m of row.matchAll(/`([^`\s]+)`/g)) {
      // Paths are the words with a slash or a file ending; commands and names (`npm start`) are not.
      if (/\/|\.(ts|md|mjs|cjs|json|ya?ml)$|^Dockerfile$/.test(m[1]) && !m[1].startsWith('/')) paths.push(m[1]);
    }
  }
  return paths;
}

/** `apps/<service>/...` stands for every service app; each must have the path. */
function expand(path: string): string[] {
  if (!path.includes('<service>')) return [path];
  const services = readdirSync(resolve(ROOT, 'apps')).filter((a) => a.endsWith('-service') || a === 'ws-gateway');
  return services.map((s) => path.replace('<service>', s));
}

describe('architecture doc', () => {
  it('architecture doc - every path in the "where to change what" table exists', () => {
    const paths = pathsInTable();
    expect(paths.length).toBeGreaterThan(30);
    const missing = paths.flatMap(expand).filter((p) => !existsSync(resolve(ROOT, p.replace(/\/$/, ''))));
    expect(missing).toEqual([]);
  });
});
