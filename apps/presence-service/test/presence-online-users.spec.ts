/**
 * presence.v1.online-users against real NATS and Redis: every online user is listed across
 * pages, each page within the reply budget, users who left are not listed, and a cursor that
 * presence-service did not make is refused.
 */
import { PresenceOnlineUsers, type OnlineUsersReply, type SessionSnapshot } from '@relay/contracts';
import { type Bus } from '@relay/bus';
import { startNats, startRedis, uniqueName, type TestNats, type TestRedis } from '@relay/testing';
import { clientBus, FakeGateway, startPresence } from './harness';
import type { PresenceApp } from '../src/app';

const USERS = 2000;

/** Every page of the online users as the raw replies, following the cursor. */
async function pagesOf(bus: Bus): Promise<OnlineUsersReply[]> {
  const pages: OnlineUsersReply[] = [];
  let cursor: string | undefined;
  do {
    const page = await bus.request(PresenceOnlineUsers, cursor ? { cursor } : {}, { timeoutMs: 10000 });
    pages.push(page);
    cursor = page.cursor;
    if (pages.length > 200) throw new Error('more than 200 pages');
  } while (cursor && cursor !== '0');
  return pages;
}

describe('presence-service online users in pages', () => {
  let nats: TestNats;
  let redisServer: TestRedis;
  let app: PresenceApp;
  let bus: Bus;
  let gw: FakeGateway;
  const prefix = uniqueName('on');
  const users = Array.from({ length: USERS }, (_x, i) => `${prefix}_${i}_`.padEnd(64, 'x'));

  beforeAll(async () => {
    [nats, redisServer] = await Promise.all([startNats(), startRedis()]);
    app = await startPresence(nats.url, redisServer.url);
    bus = await clientBus(nats.url);
    gw = new FakeGateway(bus);
    const sessions: SessionSnapshot[] = users.map((user, i) => ({ session: `s${i}`, user, connectedAt: 1, rooms: [] }));
    await gw.sync(sessions, ++gw.v);
  }, 120000);

  afterAll(async () => {
    await app?.close();
    await bus?.nc.close();
    await Promise.all([nats?.close(), redisServer?.close()]);
  });

  it('online users - every online user is listed, the count is the number online, a small deployment answers in one page without a cursor', async () => {
    const pages = await pagesOf(bus);
    expect(pages).toHaveLength(1);
    expect(pages[0].cursor).toBeUndefined();
    expect(pages[0].count).toBe(USERS);
    expect(pages[0].users).toEqual([...users].sort());
  });

  it('online users - with a small byte budget the list comes in many pages, none over the budget, each user once', async () => {
    const budgetBytes = 16 * 1024;
    const listed: string[] = [];
    let cursor = '0';
    let pages = 0;
    do {
      const page = await app.store.onlineUsersPage(cursor, { budgetBytes, scanCount: 100, maxScans: 32 });
      expect(Buffer.byteLength(JSON.stringify(page))).toBeLessThanOrEqual(budgetBytes);
      listed.push(...page.users);
      cursor = page.cursor;
      pages++;
    } while (cursor !== '0' && pages <= 1000);
    expect(pages).toBeGreaterThanOrEqual(Math.ceil((USERS * 67) / budgetBytes));
    expect(new Set(listed).size).toBe(USERS);
    expect([...new Set(listed)].sort()).toEqual([...users].sort());
  });

  it('online users - a user whose last session closed is no longer listed', async () => {
    const gone = users[7];
    await gw.update('close', 's7', gone);
    const listed = (await pagesOf(bus)).flatMap((p) => p.users);
    expect(listed).not.toContain(gone);
    expect(listed).toHaveLength(USERS - 1);
  });

  it('online users - a cursor presence-service did not make is BAD_REQUEST, and the service keeps answering', async () => {
    await expect(bus.request(PresenceOnlineUsers, { cursor: 'page-2' }, { timeoutMs: 3000 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('PRESENCE_CURSOR_INVALID'),
    });
    expect((await bus.request(PresenceOnlineUsers, {}, { timeoutMs: 10000 })).count).toBeGreaterThan(0);
  });
});
