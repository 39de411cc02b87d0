import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { signToken, TEST_JWT_SECRET, TestClient, TestStack, uniqueName, waitFor } from '@relay/testing';
import { launchBrowser } from './system-chromium';

const ROOT = resolve(__dirname, '../../..');
const WEB_ROOT = resolve(ROOT, 'dist/apps/web-chat');
const ARTIFACTS = resolve(ROOT, 'test-output');

describe('web chat page', () => {
  let stack: TestStack;
  let browser: Browser;
  const room = uniqueName('web');
  const alice = uniqueName('alice');
  const bob = uniqueName('bob');
  let alicePage: Page;
  let bobPage: Page;

  /** Opens the page served by gateway `home`, listing it first and the other gateway second, and signs in. */
  async function signIn(user: string, home: number): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1100, height: 640 } });
    const gateways = [stack.wsUrl(home), stack.wsUrl(1 - home)].join(',');
    await page.goto(`${stack.httpUrl(home)}/?gateways=${encodeURIComponent(gateways)}`);
    await page.getByTestId('login-name').fill(user);
    await page.getByTestId('login-room').fill(room);
    await page.getByTestId('login-submit').click();
    await page.locator('[data-testid="connection-state"][data-state="online"]').waitFor({ timeout: 10000 });
    await page.locator(`[data-testid="room-item"][data-room="${room}"]`).waitFor();
    return page;
  }

  async function messageTexts(page: Page): Promise<string[]> {
    return page.getByTestId('message-text').allTextContents();
  }

  async function sendFromPage(page: Page, text: string): Promise<void> {
    await page.getByTestId('composer-input').fill(text);
    await page.getByTestId('composer-input').press('Enter');
  }

  beforeAll(async () => {
    if (!existsSync(resolve(WEB_ROOT, 'index.html'))) throw new Error(`${WEB_ROOT} is missing: run \`npx nx build web-chat\` first`);
    mkdirSync(ARTIFACTS, { recursive: true });
    [stack, browser] = await Promise.all([TestStack.start({ gateways: 2, appEnv: { 'ws-gateway': { WEB_ROOT } } }), launchBrowser()]);
  }, 60000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('browser - two pages on two gateways chat in one room and see each other present', async () => {
    alicePage = await signIn(alice, 0);
    bobPage = await signIn(bob, 1);
    expect(await alicePage.getByTestId('gateway').textContent()).toContain(stack.gateways[0].port.toString());
    expect(await bobPage.getByTestId('gateway').textContent()).toContain(stack.gateways[1].port.toString());

    for (const page of [alicePage, bobPage]) {
      for (const user of [alice, bob]) await page.locator(`[data-testid="presence-user"][data-user="${user}"]`).waitFor({ timeout: 10000 });
    }

    await sendFromPage(alicePage, `hello from ${alice}`);
    await bobPage.getByTestId('message-text').filter({ hasText: `hello from ${alice}` }).waitFor();
    // Bob starts typing: Alice sees it, then his message.
    await bobPage.getByTestId('composer-input').pressSequentially('hi ');
    await alicePage.getByTestId('typing-indicator').filter({ hasText: `${bob} is typing` }).waitFor();
    await bobPage.getByTestId('composer-input').pressSequentially(`@${alice}`);
    await bobPage.getByTestId('composer-input').press('Enter');
    await alicePage.getByTestId('message-text').filter({ hasText: `hi @${alice}` }).waitFor();
    // The mention arrives as a notification, once.
    await alicePage.locator('[data-testid="notification"][data-kind="mention"]').waitFor({ timeout: 10000 });
    expect(await alicePage.getByTestId('notification').count()).toBe(1);
    expect(await messageTexts(alicePage)).toEqual([`hello from ${alice}`, `hi @${alice}`]);
  });

  it('browser - SIGKILL of a page\'s gateway: it reconnects to the other and shows every message sent meanwhile exactly once', async () => {
    const carol = await TestClient.connect(stack.wsUrl(0), signToken(uniqueName('carol'), TEST_JWT_SECRET));
    try {
      await carol.request({ type: 'join', room });
      const before = await messageTexts(bobPage);
      await stack.gateways[1].kill();
      // Sent while Bob's gateway is dead: he must get them through `join` with `since`.
      const missed = Array.from({ length: 6 }, (_, i) => `while you were away ${i}`);
      for (const text of missed) {
        const sent = await carol.request({ type: 'send', room, text });
        expect(sent.type).toBe('sent');
      }
      await bobPage.locator('[data-testid="connection-state"][data-state="online"]').waitFor({ timeout: 20000 });
      expect(await bobPage.getByTestId('gateway').textContent()).toContain(stack.gateways[0].port.toString());
      // And the page still works on the new gateway in both directions.
      await sendFromPage(bobPage, 'back online');
      await alicePage.getByTestId('message-text').filter({ hasText: 'back online' }).waitFor();

      const expected = [...before, ...missed, 'back online'];
      await waitFor(async () => (await messageTexts(bobPage)).length >= expected.length, { what: 'all messages on the reconnected page', timeoutMs: 10000 });
      expect(await messageTexts(bobPage)).toEqual(expected);
      const seqs = (await bobPage.getByTestId('message').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq')))));
      expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i)); // contiguous: no gap, no duplicate
      expect(await alicePage.getByTestId('message-text').allTextContents()).toEqual(expected);
      await bobPage.screenshot({ path: resolve(ARTIFACTS, 'browser-chat-after-reconnect.png') });
      await alicePage.screenshot({ path: resolve(ARTIFACTS, 'browser-chat-alice.png') });
    } finally {
      await carol.close();
    }
  });

  it('browser - a joined room shows the latest page and scrolls back through history', async () => {
    const busy = uniqueName('busy');
    // Two writers: 65 sends from one connection would pass its rate limit (burst 40).
    for (const [from, to] of [[1, 33], [34, 65]]) {
      const writer = await TestClient.connect(stack.wsUrl(0), signToken(uniqueName('writer'), TEST_JWT_SECRET));
      try {
        await writer.request({ type: 'join', room: busy });
        for (let i = from; i <= to; i++) expect((await writer.request({ type: 'send', room: busy, text: `old ${i}` })).type).toBe('sent');
      } finally {
        await writer.close();
      }
    }
    await alicePage.getByTestId('join-room-input').fill(busy);
    await alicePage.getByTestId('join-room-submit').click();
    await alicePage.getByTestId('active-room').filter({ hasText: busy }).waitFor();
    // The latest page (50) first, ending with the newest message.
    await alicePage.getByTestId('message-text').filter({ hasText: 'old 65' }).waitFor();
    expect((await messageTexts(alicePage)).length).toBeGreaterThanOrEqual(50);
    // Scrolling to the top pages in the older ones.
    await alicePage.getByTestId('message-list').evaluate((list) => {
      list.scrollTop = 0;
    });
    await waitFor(async () => (await messageTexts(alicePage)).length === 65, { what: 'all 65 messages after scrolling back', timeoutMs: 10000 });
    expect(await messageTexts(alicePage)).toEqual(Array.from({ length: 65 }, (_, i) => `old ${i + 1}`));
    // Seq 1 reached: nothing older to ask for.
    expect(await alicePage.getByTestId('load-older').isHidden()).toBe(true);
  });
});
