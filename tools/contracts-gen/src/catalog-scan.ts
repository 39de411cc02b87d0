/**
 * Finds every contract to document by reading the contracts library's own exports: each NATS
 * subject definition (defineEvent/defineRequest) and each client protocol frame. Nothing is
 * listed by hand, so a new subject or frame shows up in the generated files by itself.
 */
import * as contracts from '@relay/contracts';
import type { EventDef, RequestDef } from '@relay/contracts';
import type { TSchema } from '@sinclair/typebox';

export interface NamedEvent {
  name: string;
  def: EventDef;
}
export interface NamedRequest {
  name: string;
  def: RequestDef;
}
export interface Frame {
  /** The frame's `type` literal. */
  type: string;
  schema: TSchema;
}

function isDef(value: unknown): value is EventDef | RequestDef {
  const v = value as { kind?: unknown; subject?: unknown } | null;
  return typeof v === 'object' && v !== null && (v.kind === 'event' || v.kind === 'request') && typeof v.subject === 'string';
}

/** Catalog entries by export name, sorted by subject so the output is stable. */
export function natsContracts(): { events: NamedEvent[]; requests: NamedRequest[] } {
  const entries: [string, EventDef | RequestDef][] = [];
  for (const [name, value] of Object.entries(contracts as Record<string, unknown>)) if (isDef(value)) entries.push([name, value]);
  entries.sort((a, b) => a[1].subject.localeCompare(b[1].subject));
  return {
    events: entries.filter(([, d]) => d.kind === 'event').map(([name, def]) => ({ name, def: def as EventDef })),
    requests: entries.filter(([, d]) => d.kind === 'request').map(([name, def]) => ({ name, def: def as RequestDef })),
  };
}

/** Client-to-server frames, by type. */
export function clientFrames(): Frame[] {
  return Object.entries(contracts.ClientFrames).map(([type, schema]) => ({ type, schema }));
}

/** Server-to-client frames: the members of the ServerFrame union, named by their `type` literal. */
export function serverFrames(): Frame[] {
  return contracts.ServerFrame.anyOf.map((schema: TSchema) => {
    const type = (schema.properties as { type?: { const?: unknown } }).type?.const;
    if (typeof type !== 'string') throw new Error('a server frame without a literal type');
    return { type, schema };
  });
}
