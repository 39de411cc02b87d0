import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { signToken, startPrometheus, stackTargets, TEST_JWT_SECRET, TestStack, uniqueName, waitFor, type TestClient, type TestPrometheus } from '@relay/testing';
import { launchBrowser } from './system-chromium';

const ARTIFACTS = resolve(__dirname, '../../../test-output');
const ADMIN = 'ops-admin';

/**
 * The live ops page in a real browser: a gateway with OPS_ADMINS, a real Prometheus scraping the
 * whole stack, and traffic; the page must show what happened, and refuse a non-admin.
 */
describe('ops page in the browser', () => {
  let stack: TestStack;
  let prometheus: TestPrometheus;
  let browser: Browser;
  let gatewayId: string;
  const room = uniqueName('ops-room');
  const clients: TestClient[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // The gateway needs Prometheus's address and Prometheus the gateway's: services first, then
    // Prometheus, then the gateway, then the gateway joins Prometheus's targets.
    // One after the other, so whatever started is assigned and closed by afterAll if the next fails.
    stack = await TestStack.start({ gateways: 0 });
    browser = await launchBrowser();
    prometheus = await startPrometheus({ targets: stackTargets(stack) });
    const gw = await stack.add('ws-gateway', { OPS_ADMINS: `${ADMIN},another-admin`, PROMETHEUS_URL: prometheus.url });
    gatewayId = `gw-1-${gw.port}`;
    prometheus.setTargets(stackTargets(stack));

    for (const u of ['alice', 'bob', 'carol']) {
      const c = await stack.connect(uniqueName(u));
      expect(await c.request({ type: 'join', room })).toMatchObject({ type: 'joined' });
      clients.push(c);
    }
    // Prometheus sees the first send before the rest, so the send rate is an increase.
    expect(await clients[0].request({ type: 'send', room, text: 'first' })).toMatchObject({ type: 'sent' });
    await waitFor(async () => (await prometheus.query('sum(relay_gateway_frames_in_total{type="send"})'))[0]?.value === 1, {
      what: 'prometheus to scrape the first send',
      timeoutMs: 20000,
      intervalMs: 250,
    });
    for (let i = 0; i < 4; i++) expect(await clients[i % 3].request({ type: 'send', room, text: `m${i}` })).toMatchObject({ type: 'sent' });
  }, 120000);

  afterAll(async () => {
    await browser?.close();
    await prometheus?.close();
    await stack?.close();
  });

  const figure = (page: Page, name: string) => page.locator(`[data-testid="figure"][data-name="${name}"] .value`);

  it('browser ops - an admin sees the gateways, busiest rooms, rates, latency, breakers and live charts', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    try {
      await page.goto(`${stack.httpUrl(0)}/ops#token=${signToken(ADMIN, TEST_JWT_SECRET)}`);
      // The token left the address bar at once.
      expect(new URL(page.url()).hash).toBe('');
      await page.locator('[data-testid="ops-status"][data-state="ok"]').waitFor({ timeout: 20000 });
      expect(await page.getByTestId('ops-gateway').textContent()).toBe(gatewayId);

      // Cluster figures from Prometheus: this gateway and its three connections.
      const gatewayRow = page.locator(`[data-testid="gateway-row"][data-instance="${gatewayId}"] [data-name="connections"]`);
      await waitFor(async () => (await gatewayRow.textContent()) === '3', { what: 'gateway row with 3 connections', timeoutMs: 20000, intervalMs: 250 });
      // Local figures: the room and its members here.
      await page.locator(`[data-testid="room-row"][data-room="${room}"] [data-name="members"]`).filter({ hasText: '3' }).waitFor();
      // The gateway's breakers, all closed.
      const breakers = page.locator(`[data-testid="breaker-row"][data-instance="${gatewayId}"]`);
      await breakers.first().waitFor();
      const states = await breakers.evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-breaker')}=${r.getAttribute('data-state')}`));
      expect(states).toContain('chat-service=closed');
      expect(states.every((s) => s.endsWith('=closed'))).toBe(true);

      // Rates and latency are numbers once Prometheus has two scrapes of the sends.
      for (const name of ['sends', 'deliveries', 'p50', 'p99', 'sessions']) {
        await waitFor(async () => Number.isFinite(Number(await figure(page, name).textContent())), { what: `figure ${name} to be a number`, timeoutMs: 20000, intervalMs: 250 });
      }
      expect(Number(await figure(page, 'deliveries').textContent())).toBeGreaterThan(0);
      expect(Number(await figure(page, 'p99').textContent())).toBeGreaterThan(0);
      // The charts grow with each poll (every 2 s).
      const points = page.locator('svg[data-name="connections"] polyline');
      await waitFor(async () => Number(await points.getAttribute('data-points')) >= 2, { what: 'two points on the connections chart', timeoutMs: 15000, intervalMs: 250 });
      expect(await page.locator('svg[data-name="latency"] polyline').count()).toBe(2);
      await page.screenshot({ path: resolve(ARTIFACTS, 'ops-page.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('browser ops - a user not in OPS_ADMINS is refused and the page asks for another token', async () => {
    const page = await browser.newPage();
    try {
      const user = uniqueName('mallory');
      await page.goto(`${stack.httpUrl(0)}/ops#token=${signToken(user, TEST_JWT_SECRET)}`);
      const status = page.locator('[data-testid="ops-status"][data-state="unauthorized"]');
      await status.waitFor({ timeout: 10000 });
      expect(await status.textContent()).toContain(`${user} is not in OPS_ADMINS`);
      expect(await page.locator('[data-testid="gateway-row"]').count()).toBe(0);
      await page.getByTestId('ops-token').fill(signToken(ADMIN, TEST_JWT_SECRET));
      await page.getByTestId('ops-token-submit').click();
      await page.locator('[data-testid="ops-status"][data-state="ok"]').waitFor({ timeout: 20000 });
    } finally {
      await page.close();
    }
  });
});
