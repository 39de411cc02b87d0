import { startPrometheus, stackTargets, TestStack, uniqueName, waitFor, type PromSample, type TestPrometheus } from '@relay/testing';

/**
 * A real Prometheus with the project's deploy/prometheus configuration and rules, scraping a
 * real stack every second: the key series, the recording rules and two alerts read back through
 * its HTTP API while traffic and faults happen.
 */
describe('prometheus against the stack', () => {
  let stack: TestStack;
  let prometheus: TestPrometheus;

  beforeAll(async () => {
    stack = await TestStack.start({ gateways: 2 });
    prometheus = await startPrometheus({ targets: stackTargets(stack) });
  }, 120000);

  afterAll(async () => {
    await prometheus?.close();
    await stack?.close();
  });

  /** Waits until the query returns samples that satisfy `ok`; the last answer is in the error. */
  async function until(expr: string, ok: (s: PromSample[]) => boolean, timeoutMs = 20000): Promise<PromSample[]> {
    let last: PromSample[] = [];
    try {
      return await waitFor(
        async () => {
          last = await prometheus.query(expr);
          return ok(last) && last;
        },
        { what: expr, timeoutMs, intervalMs: 250 },
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}; last answer: ${JSON.stringify(last)}`);
    }
  }
  const single = (value: number) => (s: PromSample[]) => s.length === 1 && s[0].value === value;

  it('prometheus - scrapes every process under its job, labelled with the service and its instance id', async () => {
    const up = await until('up == 1', (s) => s.length === 5);
    expect(up.map((s) => s.metric.job).sort()).toEqual(['chat-service', 'notification-service', 'presence-service', 'ws-gateway', 'ws-gateway']);
    const ready = await until('relay_ready{check="redis"}', (s) => s.length === 3);
    expect(ready.map((s) => s.metric.service).sort()).toEqual(['chat-service', 'notification-service', 'presence-service']);
    // honor_labels keeps the services' instance ids (INSTANCE_ID), not host:port.
    expect(ready.every((s) => s.value === 1 && /^(chat|presence|notification)-1-\d+$/.test(s.metric.instance))).toBe(true);
  });

  it('prometheus - connections, sends, stored messages, deliveries and mentions read back as they happened', async () => {
    const room = uniqueName('obs-room');
    const alice = await stack.connect(uniqueName('alice'), 0);
    const bobName = uniqueName('bob');
    const bob = await stack.connect(bobName, 0);
    const carol = await stack.connect(uniqueName('carol'), 1);
    for (const c of [alice, bob, carol]) expect(await c.request({ type: 'join', room })).toMatchObject({ type: 'joined' });
    const n = 5;
    const send = async (i: number) => {
      const text = i === 0 ? `hello @${bobName}` : `m${i}`;
      expect(await alice.request({ type: 'send', room, text })).toMatchObject({ type: 'sent', seq: i + 1 });
    };
    // A labelled counter appears with its first increment: let Prometheus scrape it once before
    // the rest, so rates see the sends as an increase (as they do in a long-running system).
    await send(0);
    await until('sum(relay_gateway_frames_in_total{type="send"})', single(1));
    for (let i = 1; i < n; i++) await send(i);
    for (const c of [alice, bob, carol]) await c.collect((f) => f.type === 'message' && f.room === room, n);

    await until('relay:gateway_connections:sum', single(3));
    await until('relay:gateway_room_subscriptions:sum', single(2));
    await until('sum(relay_gateway_frames_in_total{type="send"})', single(n));
    await until('sum(relay_chat_messages_stored_total)', single(n));
    await until('sum(relay_gateway_deliveries_total)', single(3 * n));
    await until('max(relay_presence_sessions)', single(3));
    await until('sum(relay_notifications_created_total{kind="mention"})', single(1));
    // Recording rules evaluated on the real series.
    const p99 = await until('relay:gateway_send_seconds:p99_5m', (s) => s.length === 1 && Number.isFinite(s[0].value));
    expect(p99[0].value).toBeGreaterThan(0);
    await until('relay:gateway_send_errors:ratio_rate5m', single(0));
    await until('relay:gateway_deliveries:rate1m', (s) => s.length === 1 && s[0].value > 0);
  });

  it('prometheus - Redis down shows as relay_ready 0 and RelayRedisUnready pending, and clears when Redis is back', async () => {
    await stack.redis.server.kill();
    try {
      await until('relay_ready{check="redis"} == 0', (s) => s.length === 3);
      const alerts = await waitFor(
        async () => {
          const pending = (await prometheus.alerts()).filter((a) => a.labels.alertname === 'RelayRedisUnready');
          return pending.length === 3 && pending;
        },
        { what: 'RelayRedisUnready for the three services', timeoutMs: 20000, intervalMs: 250 },
      );
      // `for: 1m`: pending first; it would fire if Redis stayed down for a minute.
      expect(alerts.map((a) => `${a.labels.service} ${a.state} ${a.labels.severity}`).sort()).toEqual([
        'chat-service pending critical',
        'notification-service pending critical',
        'presence-service pending critical',
      ]);
    } finally {
      await stack.redis.server.start();
    }
    await until('relay_ready{check="redis"} == 1', (s) => s.length === 3);
    await waitFor(async () => !(await prometheus.alerts()).some((a) => a.labels.alertname === 'RelayRedisUnready'), {
      what: 'RelayRedisUnready to clear',
      timeoutMs: 20000,
      intervalMs: 250,
    });
  });

  it('prometheus - a killed gateway is up 0 and RelayGatewayDown goes pending for exactly that target', async () => {
    const victim = stack.gateways[1];
    await victim.kill();
    const target = `127.0.0.1:${victim.port}`;
    const down = await until('up{job="ws-gateway"} == 0', (s) => s.length === 1);
    expect(down[0].metric.instance).toBe(target);
    const alert = await waitFor(
      async () => (await prometheus.alerts()).find((a) => a.labels.alertname === 'RelayGatewayDown'),
      { what: 'RelayGatewayDown', timeoutMs: 20000, intervalMs: 250 },
    );
    expect(alert).toMatchObject({ state: 'pending', labels: { instance: target, job: 'ws-gateway', severity: 'critical' } });
  });
});
