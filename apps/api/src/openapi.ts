/**
 * The OpenAPI 3.1 document of the api, built from the route table itself (the schemas Fastify
 * validates with), so the document cannot drift from what the server accepts. Served at
 * GET /openapi.json and written to docs/contracts/openapi.json by `npx nx run api:openapi`.
 */
import type { TSchema } from '@sinclair/typebox';
import { ROUTES } from './routes';

const plain = (schema: TSchema) => JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;

function parametersOf(schema: TSchema | undefined, where: 'path' | 'query' | 'header'): unknown[] {
  if (!schema) return [];
  const s = plain(schema) as { properties: Record<string, unknown>; required?: string[] };
  return Object.entries(s.properties).map(([name, prop]) => ({ name, in: where, required: where === 'path' || (s.required ?? []).includes(name), schema: prop }));
}

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const path = r.url.replace(/:(\w+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = {
      summary: r.summary,
      security: [{ bearer: [] }, { apiKey: [] }],
      parameters: [...parametersOf(r.schema.params, 'path'), ...parametersOf(r.schema.querystring, 'query'), ...parametersOf(r.schema.headers, 'header')],
      ...(r.schema.body ? { requestBody: { required: true, content: { 'application/json': { schema: plain(r.schema.body) } } } } : {}),
      responses: {
        ...Object.fromEntries(Object.entries(r.schema.response).map(([code, schema]) => [code, { description: code.startsWith('2') ? 'success' : 'refused', content: { 'application/json': { schema: plain(schema) } } }])),
        401: { description: 'missing or wrong API key' },
        503: { description: 'a service behind the api is unavailable; see Retry-After' },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Relay server API', version: '1.0.0', description: 'HTTP API for backends: post into rooms, notify users, read presence and history. Generated from apps/api/src/routes.ts; do not edit.' },
    servers: [{ url: 'http://127.0.0.1:8090' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'an API key from API_KEYS' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
      },
    },
    paths,
  };
}
