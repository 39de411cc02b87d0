/**
 * docs/api/openapi.json is the api's OpenAPI document as @fastify/swagger builds it from the routes; this check fails
 * when it is stale. `npx nx run api:openapi` (UPDATE_OPENAPI=1) rewrites it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { openApiDocument } from './openapi';
import { ROUTES } from './routes';

const FILE = resolve(__dirname, '../../../docs/api/openapi.json');

describe('openapi', () => {
  let text: string;
  beforeAll(async () => {
    text = `${JSON.stringify(await openApiDocument(), null, 2)}\n`;
  });

  it('openapi - docs/api/openapi.json is up to date (else run: npx nx run api:openapi)', () => {
    if (process.env.UPDATE_OPENAPI === '1') {
      mkdirSync(dirname(FILE), { recursive: true });
      writeFileSync(FILE, text);
    }
    expect(readFileSync(FILE, 'utf8')).toBe(text);
  });

  it('openapi - every route is documented, writes with a required Idempotency-Key (unless idempotent by nature)', () => {
    const doc = JSON.parse(text) as { paths: Record<string, Record<string, { parameters: { name: string; in: string; required: boolean }[] }>> };
    for (const r of ROUTES) {
      const op = doc.paths[r.url.replace(/:(\w+)/g, '{$1}')]?.[r.method.toLowerCase()];
      expect(op).toBeDefined();
      if (r.write && !r.naturallyIdempotent) expect(op?.parameters).toContainEqual(expect.objectContaining({ name: 'idempotency-key', in: 'header', required: true }));
    }
  });
});
