import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogDefinitions, inboxPrefixFor, natsPermissionsDocument, permissionsFor } from './bus-permissions';
import { BUS_ROLES } from './catalog-types';
import { MentionStream, streamOf } from './streams';

const PERMISSIONS_FILE = join(__dirname, '../../../deploy/nats-auth/permissions.json');

describe('bus permissions derived from the catalog', () => {
  it('gives room messages to chat-service alone to publish', () => {
    for (const role of BUS_ROLES) {
      expect(permissionsFor(role).publish.includes('chat.v1.room.*.message')).toBe(role === 'chat-service');
    }
  });

  it('lets only the gateway read user notification subjects and publish heartbeats and snapshots', () => {
    for (const role of BUS_ROLES) {
      const p = permissionsFor(role);
      expect(p.subscribe.includes('user.v1.*.notification')).toBe(role === 'ws-gateway');
      expect(p.publish.includes('presence.v1.heartbeat')).toBe(role === 'ws-gateway');
      expect(p.publish.includes('presence.v1.sync')).toBe(role === 'ws-gateway');
    }
  });

  it('lets a responder subscribe to its request subjects only in its own queue group, and answer', () => {
    const chat = permissionsFor('chat-service');
    // Its inbox is for the PubAcks of its mention publishes.
    expect(chat.subscribe).toEqual(['_INBOX.chat-service.>', 'chat.v1.history chat-service', 'chat.v1.join chat-service', 'chat.v1.positions chat-service', 'chat.v1.send chat-service']);
    expect(chat.allowResponses).toBe(true);
    expect(permissionsFor('ws-gateway').allowResponses).toBe(false);
  });

  it('gives each requester and JetStream user its own inbox subtree and nobody a wildcard over all subjects or the JetStream API', () => {
    for (const role of BUS_ROLES) {
      const p = permissionsFor(role);
      const requests = catalogDefinitions().some((d) => d.kind === 'request' && d.requesters.includes(role));
      const js = p.publish.some((s) => s.startsWith('$JS.'));
      expect(p.subscribe.includes(`${inboxPrefixFor(role)}.>`)).toBe(requests || js);
      for (const s of [...p.publish, ...p.subscribe]) {
        expect(s).not.toMatch(/^(>|_INBOX\.>|\$JS\.>|\$JS\.API\.>|\$JS\.API\.[A-Z]+\.>|\$JS\.API\.(STREAM|CONSUMER)\.[A-Z.]*DELETE|\$JS\.API\.STREAM\.PURGE)/);
      }
    }
  });

  it('lets the owner of a stream create it, and only its consumer pull and ack from its durable', () => {
    const chat = permissionsFor('chat-service').publish;
    expect(chat).toEqual(expect.arrayContaining(['$JS.API.STREAM.INFO.CHAT_MENTIONS', '$JS.API.STREAM.CREATE.CHAT_MENTIONS', '$JS.API.STREAM.UPDATE.CHAT_MENTIONS', 'chat.v1.room.*.mention']));
    expect(chat.some((s) => s.startsWith('$JS.API.CONSUMER'))).toBe(false);
    const notif = permissionsFor('notification-service');
    expect(notif.publish).toEqual(
      expect.arrayContaining(['$JS.API.CONSUMER.MSG.NEXT.CHAT_MENTIONS.notification-service', '$JS.ACK.CHAT_MENTIONS.notification-service.>']),
    );
    expect(notif.publish.some((s) => s.startsWith('$JS.API.STREAM'))).toBe(false);
    // Mentions are pulled from the stream: nobody subscribes to their subject, and notification-service no longer reads every room message.
    expect(notif.subscribe).not.toContain('chat.v1.room.*.mention');
    expect(notif.subscribe).not.toContain('chat.v1.room.*.message');
    for (const role of BUS_ROLES) {
      if (role !== 'notification-service') expect(permissionsFor(role).publish.some((s) => s.includes('CHAT_MENTIONS.notification-service'))).toBe(false);
    }
    expect(MentionStream.consumers.map((c) => c.role)).toEqual(['notification-service']);
  });

  it('has every catalog subject owned: an event has a publisher and a subscriber, a request a requester', () => {
    for (const def of catalogDefinitions()) {
      if (def.kind === 'event') {
        expect({ subject: def.subject, publishers: def.publishers.length > 0 }).toEqual({ subject: def.subject, publishers: true });
        // An event kept by a stream may be read only through the stream's durable consumers.
        const readers = def.subscribers.length + (streamOf(def)?.consumers.length ?? 0);
        expect({ subject: def.subject, subscribers: readers > 0 }).toEqual({ subject: def.subject, subscribers: true });
      } else {
        expect({ subject: def.subject, requesters: def.requesters.length > 0 }).toEqual({ subject: def.subject, requesters: true });
      }
    }
  });

  it('is what deploy/nats-auth/permissions.json holds (the generator reads that file)', () => {
    const expected = `${JSON.stringify(natsPermissionsDocument(), null, 2)}\n`;
    if (process.env.UPDATE_NATS_PERMISSIONS === '1') writeFileSync(PERMISSIONS_FILE, expected);
    const actual = readFileSync(PERMISSIONS_FILE, 'utf8');
    if (actual !== expected) {
      throw new Error(
        'deploy/nats-auth/permissions.json is out of date with the catalog. Regenerate it: UPDATE_NATS_PERMISSIONS=1 npx jest -c libs/contracts/jest.config.cjs bus-permissions',
      );
    }
  });
});
