// chat-service announces stored messages that mention someone on the CHAT_MENTIONS stream, which
// it creates at start-up with the configured limits. Runs with chat-service's own NATS credentials.
import { ChatSend, MentionStream, type MentionEvent } from '@relay/contracts';
import { startNats, startRedis, uniqueName, waitFor, type TestNats, type TestRedis } from '@relay/testing';
import type { JetStreamManager } from 'nats';
import type { ChatApp } from '../src/app';
import { connectClient, counterValue, REQ, startChat, type TestClient } from './harness';

describe('chat mention events', () => {
  let nats: TestNats;
  let redis: TestRedis;
  let app: ChatApp;
  let client: TestClient;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    [nats, redis] = await Promise.all([startNats(), startRedis()]);
    app = await startChat(nats.url, redis.url, { STREAM_CHAT_MENTIONS_MAX_AGE_SEC: '600', STREAM_CHAT_MENTIONS_MAX_BYTES: String(8 * 1024 * 1024) });
    client = await connectClient(nats.url);
    jsm = await client.nc.jetstreamManager();
  });

  afterAll(async () => {
    await client?.close();
    await app?.shutdown.run('test done');
    await Promise.all([nats?.close(), redis?.close()]);
  });

  /** The mention events stored for a room, oldest first. */
  const eventsOf = async (room: string): Promise<MentionEvent[]> => {
    const out: MentionEvent[] = [];
    const info = await jsm.streams.info(MentionStream.name);
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage(MentionStream.name, { seq }).catch(() => undefined);
      if (m?.subject === `chat.v1.room.${room}.mention`) out.push((m.json() as { data: MentionEvent }).data);
    }
    return out;
  };

  it('mention events - the stream exists with the configured limits, file storage and a duplicate window', async () => {
    const { config } = await jsm.streams.info(MentionStream.name);
    expect(config).toMatchObject({ subjects: ['chat.v1.room.*.mention'], storage: 'file', max_age: 600 * 1e9, max_bytes: 8 * 1024 * 1024 });
    expect(config.duplicate_window).toBe(MentionStream.duplicateWindowMs * 1e6);
  });

  it('mention events - a message with mentions is announced once with who was mentioned; one without is not', async () => {
    const room = uniqueName('room');
    const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((u) => uniqueName(u));
    await client.bus.request(ChatSend, { room, user: alice, text: 'nobody here, mail a@b.c' }, REQ);
    const sent = await client.bus.request(ChatSend, { room, user: alice, text: `@${bob} and @${carol}, @${bob}; me @${alice}` }, REQ);
    await waitFor(async () => (await counterValue(app, 'relay_chat_mentions_published_total')) >= 1, { what: 'the PubAck' });
    expect(await eventsOf(room)).toEqual([
      { room, messageId: sent.id, seq: sent.seq, from: alice, mentioned: [bob, carol], text: `@${bob} and @${carol}, @${bob}; me @${alice}`, ts: sent.ts },
    ]);
  });

  it('mention events - a duplicate send announces again, and the stream keeps one copy', async () => {
    const room = uniqueName('room');
    const [alice, bob] = [uniqueName('alice'), uniqueName('bob')];
    const req = { room, user: alice, text: `hey @${bob}`, clientMsgId: 'same' };
    const before = await counterValue(app, 'relay_chat_mentions_published_total');
    const first = await client.bus.request(ChatSend, req, REQ);
    const again = await client.bus.request(ChatSend, req, REQ);
    expect(again).toMatchObject({ id: first.id, duplicate: true });
    await waitFor(async () => (await counterValue(app, 'relay_chat_mentions_published_total')) === before + 2, { what: 'two PubAcks' });
    expect((await eventsOf(room)).map((e) => e.messageId)).toEqual([first.id]);
  });
});
