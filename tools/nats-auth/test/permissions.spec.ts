import { nkeyAuthenticator, nkeys } from 'nats';
import { BUS_ROLES, catalogDefinitions, inboxPrefixFor, type BusRole, type EventDef, type RequestDef } from '@relay/contracts';
import { startNats, uniqueName, type TestNats } from '@relay/testing';
import { arrives, RoleClient } from './role-client';

/**
 * The generated NATS users against a real nats-server: for every catalog subject and every role,
 * what the catalog allows works and everything else is refused by the server (each permission
 * tested both ways). The expectations come from the catalog's ownership fields; the permissions
 * under test went catalog -> permissions.json -> nats-auth.mjs -> auth.conf -> nats-server.
 */
const enc = new TextEncoder();
const events = catalogDefinitions().filter((d): d is EventDef => d.kind === 'event');
const requests = catalogDefinitions().filter((d): d is RequestDef => d.kind === 'request');

/** A concrete subject of a template, with a fresh token for every parameter. */
const concrete = (template: string) => template.replace(/\{[A-Za-z]+\}/g, () => uniqueName('p'));
const wildcard = (template: string) => template.replace(/\{[A-Za-z]+\}/g, '*');

describe('NATS users generated from the contract catalog', () => {
  let nats: TestNats;
  let harness: RoleClient;
  const clients = {} as Record<BusRole, RoleClient>;

  beforeAll(async () => {
    nats = await startNats({ jetstream: true });
    // No credentials: the test-only unrestricted user, which observes and feeds the roles.
    harness = await RoleClient.connect('harness', { servers: nats.url });
    for (const role of BUS_ROLES) clients[role] = await RoleClient.connect(role, nats.optionsFor(role));
  });

  afterAll(async () => {
    await Promise.all([harness, ...Object.values(clients)].filter(Boolean).map((c) => c.close()));
    await nats?.close();
  });

  const eventCases = events.flatMap((def) => BUS_ROLES.map((role) => ({ def, role, subject: def.subject })));

  it.each(eventCases.map((c) => ({ ...c, allowed: c.def.publishers.includes(c.role) })))(
    '$role publish $subject: allowed=$allowed',
    async ({ def, role, allowed }) => {
      const subject = concrete(def.subject);
      const { sub, received } = await harness.subscribe(subject);
      clients[role].nc.publish(subject, enc.encode('probe'));
      if (allowed) {
        expect(await arrives(received)).toBe(true);
      } else {
        expect(await clients[role].refused('publish', subject)).toBe(true);
        await harness.nc.flush();
        expect(received).toHaveLength(0);
      }
      sub.unsubscribe();
    },
  );

  it.each(eventCases.map((c) => ({ ...c, allowed: c.def.subscribers.includes(c.role) })))(
    '$role subscribe $subject: allowed=$allowed',
    async ({ def, role, allowed }) => {
      const pattern = wildcard(def.subject);
      const { sub, received } = await clients[role].subscribe(pattern);
      if (allowed) {
        harness.nc.publish(concrete(def.subject), enc.encode('probe'));
        expect(await arrives(received)).toBe(true);
      } else {
        expect(await clients[role].refused('subscription', pattern)).toBe(true);
      }
      sub.unsubscribe();
    },
  );

  const requestCases = requests.flatMap((def) => BUS_ROLES.map((role) => ({ def, role, subject: def.subject })));

  it.each(requestCases.map((c) => ({ ...c, allowed: c.def.requesters.includes(c.role) })))(
    '$role request $subject: allowed=$allowed',
    async ({ def, role, allowed }) => {
      if (allowed) {
        // The whole round trip: the responder's queue subscription, the reply into the requester's own inbox.
        const responder = clients[def.queue];
        const sub = responder.nc.subscribe(def.subject, { queue: def.queue, callback: (_e, m) => m.respond(enc.encode('pong')) });
        await responder.nc.flush();
        const reply = await clients[role].nc.request(def.subject, enc.encode('ping'), { timeout: 3000 });
        expect(new TextDecoder().decode(reply.data)).toBe('pong');
        expect(reply.subject.startsWith(`${inboxPrefixFor(role)}.`)).toBe(true);
        sub.unsubscribe();
      } else {
        clients[role].nc.publish(def.subject, enc.encode('ping'));
        expect(await clients[role].refused('publish', def.subject)).toBe(true);
      }
    },
  );

  it.each(requestCases.map((c) => ({ ...c, allowed: c.def.queue === c.role })))(
    '$role answer $subject in its queue group: allowed=$allowed',
    async ({ def, role, allowed }) => {
      const { sub, received } = await clients[role].subscribe(def.subject, def.queue);
      if (allowed) {
        harness.nc.publish(def.subject, enc.encode('probe'));
        expect(await arrives(received)).toBe(true);
      } else {
        expect(await clients[role].refused('subscription', def.subject, def.queue)).toBe(true);
      }
      sub.unsubscribe();
    },
  );

  it.each(requests.map((def) => ({ def, subject: def.subject, responder: def.queue })))(
    '$responder cannot take $subject outside its queue group (plain or another queue)',
    async ({ def }) => {
      const c = clients[def.queue];
      const plain = await c.subscribe(def.subject);
      expect(await c.refused('subscription', def.subject)).toBe(true);
      const other = await c.subscribe(def.subject, 'intruders');
      expect(await c.refused('subscription', def.subject, 'intruders')).toBe(true);
      plain.sub.unsubscribe();
      other.sub.unsubscribe();
    },
  );

  it.each([...BUS_ROLES])('%s cannot subscribe to everything, to all inboxes, or publish to the JetStream API', async (role) => {
    const c = clients[role];
    for (const subject of ['>', '_INBOX.>']) {
      const { sub } = await c.subscribe(subject);
      expect(await c.refused('subscription', subject)).toBe(true);
      sub.unsubscribe();
    }
    c.nc.publish('$JS.API.INFO', enc.encode(''));
    expect(await c.refused('publish', '$JS.API.INFO')).toBe(true);
  });

  it('a service cannot read the replies meant for the gateway (another role inbox)', async () => {
    const c = clients['notification-service'];
    const subject = `${inboxPrefixFor('ws-gateway')}.>`;
    const { sub } = await c.subscribe(subject);
    expect(await c.refused('subscription', subject)).toBe(true);
    sub.unsubscribe();
  });

  it('a responder may answer a request once, and may not publish into an inbox unasked', async () => {
    const chat = clients['chat-service'];
    const unasked = `${inboxPrefixFor('ws-gateway')}.${uniqueName('forged')}`;
    chat.nc.publish(unasked, enc.encode('forged reply'));
    expect(await chat.refused('publish', unasked)).toBe(true);

    const replyTo = `${inboxPrefixFor('ws-gateway')}.${uniqueName('r')}`;
    const inbox = await clients['ws-gateway'].subscribe(replyTo);
    const sub = chat.nc.subscribe('chat.v1.send', {
      queue: 'chat-service',
      callback: (_e, m) => {
        m.respond(enc.encode('first'));
        m.respond(enc.encode('second'));
      },
    });
    await chat.nc.flush();
    clients['ws-gateway'].nc.publish('chat.v1.send', enc.encode('ping'), { reply: replyTo });
    expect(await arrives(inbox.received)).toBe(true);
    expect(await chat.refused('publish', replyTo)).toBe(true);
    expect(inbox.received.map((m) => new TextDecoder().decode(m.data))).toEqual(['first']);
    sub.unsubscribe();
    inbox.sub.unsubscribe();
  });
});

describe('a NATS server with the generated users and no test harness user', () => {
  let nats: TestNats;

  beforeAll(async () => {
    nats = await startNats({ harness: false });
  });

  afterAll(async () => {
    await nats?.close();
  });

  it('refuses a connection without credentials', async () => {
    await expect(RoleClient.connect('anonymous', { servers: nats.url, reconnect: false })).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' });
  });

  it('refuses an nkey it does not know, and accepts a role generated for it', async () => {
    const stranger = nkeys.createUser().getSeed();
    await expect(RoleClient.connect('stranger', { servers: nats.url, reconnect: false, authenticator: nkeyAuthenticator(stranger) })).rejects.toMatchObject({
      code: 'AUTHORIZATION_VIOLATION',
    });
    const chat = await RoleClient.connect('chat', nats.optionsFor('chat-service'));
    await chat.nc.flush();
    await chat.close();
  });
});
