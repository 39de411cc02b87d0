/**
 * Renders every generated contract file from libs/contracts, in memory: JSON Schema files for
 * each WebSocket frame and each NATS message, and one AsyncAPI 3 document for both protocols.
 * The writer (main.ts) and the staleness test share this one function.
 */
import { CLIENT_ERROR_CODES, CLOSE_CODES } from '@relay/contracts';
import { clientFrames, natsContracts, serverFrames } from './catalog-scan';
import { enveloped, replyWrapper, toJsonSchema } from './wire-schemas';
import type { TSchema } from '@sinclair/typebox';

export type Files = Map<string, string>;

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
/** File names keep the subject as written (`nats/chat.v1.room.{room}.message.json`); ids are `A-Za-z0-9_` only. */
const idOf = (text: string) => text.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '');
const paramsOf = (subject: string) => [...subject.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
/** NATS headers travel only with trace context (the correlation id is the envelope's `cid`). */
const TRACE_HEADERS = {
  type: 'object',
  description: 'Present only when the publisher traces (OpenTelemetry): W3C trace context.',
  properties: { traceparent: { type: 'string' }, tracestate: { type: 'string' } },
};

export function renderContracts(): Files {
  const files: Files = new Map();
  const messages: Record<string, unknown> = {};
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};

  const add = (path: string, schema: TSchema, title: string, description?: string) => {
    const doc = toJsonSchema(schema, path, title, description);
    files.set(path, json(doc));
    return doc;
  };

  // --- WebSocket protocol ----------------------------------------------------------------
  const wsMessages: Record<string, unknown> = {};
  const clientRefs: unknown[] = [];
  const serverRefs: unknown[] = [];
  for (const { type, schema } of clientFrames()) {
    const id = `ws_client_${idOf(type)}`;
    messages[id] = { name: type, title: `${type} (client to server)`, contentType: 'application/json', payload: add(`websocket/client/${type}.json`, schema, `client frame: ${type}`) };
    wsMessages[id] = { $ref: `#/components/messages/${id}` };
    clientRefs.push({ $ref: `#/channels/websocket/messages/${id}` });
  }
  for (const { type, schema } of serverFrames()) {
    const id = `ws_server_${idOf(type)}`;
    messages[id] = { name: type, title: `${type} (server to client)`, contentType: 'application/json', payload: add(`websocket/server/${type}.json`, schema, `server frame: ${type}`) };
    wsMessages[id] = { $ref: `#/components/messages/${id}` };
    serverRefs.push({ $ref: `#/channels/websocket/messages/${id}` });
  }
  channels.websocket = {
    address: '/ws',
    title: 'Client protocol (JSON text frames)',
    description: `Auth: a JWT as ?token=, Authorization: Bearer, or subprotocol bearer.<JWT>. Error codes: ${CLIENT_ERROR_CODES.join(', ')}. Close codes: ${Object.entries(CLOSE_CODES)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')}, 4001 token expired. See docs/protocol.md.`,
    servers: [{ $ref: '#/servers/gateway' }],
    messages: wsMessages,
  };
  operations.clientSends = { action: 'send', title: 'Frames a client sends', channel: { $ref: '#/channels/websocket' }, messages: clientRefs };
  operations.clientReceives = { action: 'receive', title: 'Frames a client receives', channel: { $ref: '#/channels/websocket' }, messages: serverRefs };

  // --- NATS --------------------------------------------------------------------------------
  const { events, requests } = natsContracts();
  const natsChannel = (subject: string, msgIds: string[]) => ({
    address: subject,
    servers: [{ $ref: '#/servers/nats' }],
    ...(paramsOf(subject).length ? { parameters: Object.fromEntries(paramsOf(subject).map((p) => [p, { description: `${p}: a validated subject token` }])) } : {}),
    messages: Object.fromEntries(msgIds.map((m) => [m, { $ref: `#/components/messages/${m}` }])),
  });
  for (const { name, def } of events) {
    const id = idOf(name);
    const payload = add(`nats/${def.subject}.json`, enveloped(def.schema, def.type, def.version), `${name} (${def.subject})`, `Event ${def.type}.v${def.version}, in the bus envelope.`);
    messages[id] = { name: `${def.type}.v${def.version}`, title: name, contentType: 'application/json', headers: TRACE_HEADERS, payload };
    channels[id] = natsChannel(def.subject, [id]);
    operations[`publish${name}`] = { action: 'send', title: `${name} is published`, channel: { $ref: `#/channels/${id}` } };
  }
  for (const { name, def } of requests) {
    const reqId = `${idOf(name)}_request`;
    const repId = `${idOf(name)}_reply`;
    const base = def.subject;
    messages[reqId] = {
      name: `${def.type}.v${def.version}`,
      title: `${name} request`,
      contentType: 'application/json',
      payload: add(`nats/${base}.request.json`, enveloped(def.request, def.type, def.version), `${name} request (${def.subject})`, `Request ${def.type}.v${def.version}, in the bus envelope; served by queue group ${def.queue}.`),
    };
    messages[repId] = {
      name: `${def.type}.v${def.version}.reply`,
      title: `${name} reply`,
      contentType: 'application/json',
      payload: add(`nats/${base}.reply.json`, replyWrapper(def.reply), `${name} reply (${def.subject})`, 'The reply wrapper: {ok:true,data} or {ok:false,error}.'),
    };
    channels[idOf(name)] = natsChannel(def.subject, [reqId]);
    channels[`${idOf(name)}_reply`] = { address: null, description: 'The requester\'s inbox (NATS request/reply).', servers: [{ $ref: '#/servers/nats' }], messages: { [repId]: { $ref: `#/components/messages/${repId}` } } };
    operations[`serve${name}`] = {
      action: 'receive',
      title: `${def.queue} answers ${def.subject}`,
      description: `Queue group: ${def.queue}.`,
      channel: { $ref: `#/channels/${idOf(name)}` },
      reply: { channel: { $ref: `#/channels/${idOf(name)}_reply` } },
    };
  }

  const asyncapi = {
    asyncapi: '3.0.0',
    info: {
      title: 'Relay',
      version: '1.0.0',
      description: 'Relay real-time chat: the WebSocket client protocol of the ws-gateway and the NATS subjects between services. Generated from libs/contracts by tools/contracts-gen; do not edit.',
    },
    defaultContentType: 'application/json',
    servers: {
      gateway: { host: '127.0.0.1:8080', protocol: 'ws', pathname: '/ws', description: 'ws-gateway (any instance)' },
      nats: { host: '127.0.0.1:4222', protocol: 'nats', description: 'The NATS bus between services' },
    },
    channels,
    operations,
    components: { messages },
  };
  files.set('asyncapi.json', json(asyncapi));
  return new Map([...files].sort(([a], [b]) => a.localeCompare(b)));
}
