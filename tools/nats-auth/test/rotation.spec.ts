import { dirname } from 'node:path';
import { readFileSync } from 'node:fs';
import { nkeyAuthenticator } from 'nats';
import pino from 'pino';
import { connectNats } from '@relay/service-kit';
import { generateNatsAuth, startNats, uniqueName, waitFor, type TestNats } from '@relay/testing';
import { arrives, RoleClient } from './role-client';

/**
 * The key rotation of docs/security-nats.md: new keys into the live folder, SIGHUP to nats-server,
 * and a running service logs in again with its new seed, no restart; the old key is refused.
 */
describe('rotating the NATS keys', () => {
  let nats: TestNats;

  beforeAll(async () => {
    nats = await startNats({ harness: false });
  });

  afterAll(async () => {
    await nats?.close();
  });

  it('a connected service moves to its new key after a reload; the old key is refused', async () => {
    const auth = nats.auth;
    if (!auth) throw new Error('startNats made no credentials');
    const seedFile = auth.roles['chat-service'].seedFile;
    const oldSeed = readFileSync(seedFile, 'utf8').trim();
    const nc = await connectNats({ url: nats.url, name: 'chat-rotating', logger: pino({ level: 'silent' }), auth: { nkeySeedFile: seedFile } });
    const statuses: string[] = [];
    void (async () => {
      for await (const s of nc.status()) statuses.push(s.type);
    })();

    const fresh = generateNatsAuth(dirname(auth.confPath), false);
    expect(fresh.roles['chat-service'].publicKey).not.toBe(auth.roles['chat-service'].publicKey);
    nats.server.signalOnly('SIGHUP');

    await waitFor(() => statuses.includes('reconnect'), { what: 'service reconnected with its new key', timeoutMs: 15000 });
    const gw = await RoleClient.connect('gw', nats.optionsFor('ws-gateway'));
    const room = uniqueName('room');
    const { received } = await gw.subscribe(`chat.v1.room.${room}.message`);
    nc.publish(`chat.v1.room.${room}.message`, new TextEncoder().encode('after rotation'));
    expect(await arrives(received)).toBe(true);

    const stale = RoleClient.connect('stale', { servers: nats.url, reconnect: false, authenticator: nkeyAuthenticator(new TextEncoder().encode(oldSeed)) });
    await expect(stale).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' });
    await gw.close();
    await nc.close();
  });
});
