/**
 * Least privilege on the bus, derived from the catalog and the streams: who may publish, subscribe to and
 * answer which subject follows from each definition's `publishers`, `subscribers`,
 * `requesters` and `queue`, so the permission lists are never written a second time. Pure data
 * (no NATS here): tools/nats-auth renders the nats-server users from natsPermissionsDocument().
 */
import * as catalog from './catalog';
import { BUS_ROLES, type BusRole, type EventDef, type RequestDef } from './catalog-types';
import { STREAMS, type StreamDef } from './streams';
import { wildcardFor } from './subjects';

export interface RolePermissions {
  role: BusRole;
  /** Subjects this role may publish to (requests it sends, events it emits). */
  publish: string[];
  /** Subscriptions it may make: `subject` (any queue) or `subject queue` (only in that queue group). */
  subscribe: string[];
  /** It answers requests: it may publish once to the reply subject of a request it received. */
  allowResponses: boolean;
}

const DEFINITIONS: ReadonlyArray<EventDef | RequestDef> = (Object.values(catalog) as unknown[]).filter(
  (v): v is EventDef | RequestDef =>
    typeof v === 'object' && v !== null && 'kind' in v && (v.kind === 'event' || v.kind === 'request'),
);

/** Every subject definition of the catalog. */
export function catalogDefinitions(): ReadonlyArray<EventDef | RequestDef> {
  return DEFINITIONS;
}

/**
 * Where a role's request replies arrive. Each role has its own inbox subtree, so one service
 * cannot read the replies meant for another (history pages, pending notifications) by
 * subscribing to `_INBOX.>`. The service kit connects with this prefix.
 */
export function inboxPrefixFor(role: BusRole): string {
  return `_INBOX.${role}`;
}

export function isBusRole(value: unknown): value is BusRole {
  return typeof value === 'string' && (BUS_ROLES as readonly string[]).includes(value);
}

/**
 * The JetStream API subjects a role needs, and no more: the owner of a stream may look it up,
 * create and update it; a consumer may look up, create and pull from its own durable and ack
 * what it was given. Replies (API answers, PubAcks, pulled messages) arrive in the role's inbox.
 * Nobody gets `$JS.API.>`: deleting or purging a stream is an operator's act.
 */
export function jetStreamPermissionsFor(role: BusRole, streams: readonly StreamDef[] = STREAMS): { publish: string[]; needsInbox: boolean } {
  const publish: string[] = [];
  let needsInbox = false;
  for (const stream of streams) {
    const s = stream.name;
    if (stream.owner === role) publish.push(`$JS.API.STREAM.INFO.${s}`, `$JS.API.STREAM.CREATE.${s}`, `$JS.API.STREAM.UPDATE.${s}`);
    // A publish to a stream's subject waits for its PubAck.
    if (stream.owner === role || stream.events.some((e) => e.publishers.includes(role))) needsInbox = true;
    for (const c of stream.consumers) {
      if (c.role !== role) continue;
      const d = `${s}.${c.durable}`;
      publish.push(
        `$JS.API.CONSUMER.INFO.${d}`,
        // nats.js creates with the filter subject in the API subject when the server knows it.
        `$JS.API.CONSUMER.CREATE.${d}`,
        `$JS.API.CONSUMER.CREATE.${d}.>`,
        `$JS.API.CONSUMER.DURABLE.CREATE.${d}`,
        `$JS.API.CONSUMER.MSG.NEXT.${d}`,
        `$JS.ACK.${d}.>`,
      );
      needsInbox = true;
    }
  }
  return { publish, needsInbox };
}

export function permissionsFor(role: BusRole, defs: ReadonlyArray<EventDef | RequestDef> = DEFINITIONS, streams: readonly StreamDef[] = STREAMS): RolePermissions {
  const publish = new Set<string>();
  const subscribe = new Set<string>();
  let allowResponses = false;
  for (const def of defs) {
    if (def.kind === 'event') {
      const subject = wildcardFor(def.subject);
      if (def.publishers.includes(role)) publish.add(subject);
      if (def.subscribers.includes(role)) subscribe.add(subject);
    } else {
      if (def.requesters.includes(role)) publish.add(def.subject);
      if (def.queue === role) {
        subscribe.add(`${def.subject} ${def.queue}`);
        allowResponses = true;
      }
    }
  }
  const js = jetStreamPermissionsFor(role, streams);
  for (const subject of js.publish) publish.add(subject);
  const requests = defs.some((d) => d.kind === 'request' && d.requesters.includes(role));
  if (requests || js.needsInbox) subscribe.add(`${inboxPrefixFor(role)}.>`);
  return { role, publish: [...publish].sort(), subscribe: [...subscribe].sort(), allowResponses };
}

/** What deploy/nats-auth/permissions.json holds: every role's permissions, for the generator. */
export interface NatsPermissionsDocument {
  comment: string;
  roles: Record<BusRole, RolePermissions & { inboxPrefix: string }>;
}

/**
 * The permissions of every role as one JSON document. deploy/nats-auth/permissions.json is this
 * document written out (a test fails when it differs), so tools that cannot load TypeScript (the
 * credentials generator, docker-compose set-up) read the catalog's rules from there.
 */
export function natsPermissionsDocument(): NatsPermissionsDocument {
  const roles = {} as NatsPermissionsDocument['roles'];
  for (const role of BUS_ROLES) roles[role] = { ...permissionsFor(role), inboxPrefix: inboxPrefixFor(role) };
  return {
    comment: 'Generated from libs/contracts/src/catalog.ts and streams.ts by bus-permissions.ts; do not edit. Regenerate: UPDATE_NATS_PERMISSIONS=1 npx jest -c libs/contracts/jest.config.cjs bus-permissions',
    roles,
  };
}
