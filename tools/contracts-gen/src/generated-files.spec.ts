/**
 * The staleness check of docs/contracts (CI runs it): the committed files must equal what the
 * generator makes from libs/contracts now, and the AsyncAPI document must hold together.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ClientFrames, ServerFrame } from '@relay/contracts';
import { natsContracts } from './catalog-scan';
import { renderContracts } from './render';

const ROOT = resolve(__dirname, '../../..');
const DIR = join(ROOT, 'docs/contracts');

function onDisk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? onDisk(join(dir, n)) : [relative(DIR, join(dir, n)).split('\\').join('/')]));
}

/** Every `$ref` in the document, to check each one points at something. */
function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refs(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe('generated contracts (docs/contracts)', () => {
  const files = renderContracts();

  it('contracts-gen - the files in docs/contracts are up to date (else run: npx nx run contracts-gen:generate)', () => {
    const stale = [...files].filter(([rel, content]) => {
      try {
        return readFileSync(join(DIR, rel), 'utf8') !== content;
      } catch {
        return true;
      }
    });
    const orphans = onDisk(DIR).filter((rel) => rel.endsWith('.json') && !files.has(rel));
    expect({ stale: stale.map(([rel]) => rel), orphans }).toEqual({ stale: [], orphans: [] });
  });

  it('contracts-gen - every NATS subject and every frame of both directions has a schema file', () => {
    const { events, requests } = natsContracts();
    expect(events.length + requests.length).toBeGreaterThan(10);
    for (const { def } of events) expect(files.has(`nats/${def.subject}.json`)).toBe(true);
    for (const { def } of requests) {
      expect(files.has(`nats/${def.subject}.request.json`)).toBe(true);
      expect(files.has(`nats/${def.subject}.reply.json`)).toBe(true);
    }
    for (const type of Object.keys(ClientFrames)) expect(files.has(`websocket/client/${type}.json`)).toBe(true);
    expect(ServerFrame.anyOf.length).toBeGreaterThan(5);
    for (const s of ServerFrame.anyOf) expect(files.has(`websocket/server/${(s.properties.type as { const: string }).const}.json`)).toBe(true);
  });

  it('contracts-gen - the AsyncAPI document is 3.0 and each of its $refs resolves', () => {
    const doc = JSON.parse(files.get('asyncapi.json') ?? '{}') as Record<string, unknown>;
    expect(doc.asyncapi).toBe('3.0.0');
    const resolveRef = (ref: string) => ref.replace(/^#\//, '').split('/').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
    const broken = refs(doc).filter((r) => resolveRef(r) === undefined);
    expect(broken).toEqual([]);
    const addresses = Object.values(doc.channels as Record<string, { address: string | null }>).map((c) => c.address);
    expect(addresses).toEqual(expect.arrayContaining(['/ws', 'chat.v1.send', 'chat.v1.room.{room}.message', 'user.v1.{user}.notification']));
  });

  it('contracts-gen - a NATS event schema describes the envelope with its versioned type', () => {
    const schema = JSON.parse(files.get('nats/chat.v1.room.{room}.message.json') ?? '{}') as { required: string[]; properties: Record<string, { const?: string }> };
    expect(schema.required).toEqual(expect.arrayContaining(['id', 'type', 'source', 'time', 'data']));
    expect(schema.properties.type.const).toBe('chat.message.v1');
  });
});
