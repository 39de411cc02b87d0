import { ContractError, PresenceSync, type GatewaySnapshot, type SessionSnapshot } from '@relay/contracts';
import { Bus } from '@relay/bus';
import { startNats, type TestNats } from '@relay/testing';
import { connect } from 'nats';
import pino from 'pino';
import { PresenceReporter, splitSnapshot, type PresenceReporterOptions } from './presence-reporter';
import { createServiceClient, RETRY_PRESETS } from '@relay/service-kit';
import { GATEWAY_CALLS } from './service-clients';

const silent = pino({ level: 'silent' });
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/** Presence-service's side reduced to what the reporter sees: it asks for a snapshot every time. */
function fakeServices(sync: (snap: GatewaySnapshot) => Promise<void> = async () => undefined) {
  const sent: GatewaySnapshot[] = [];
  return {
    sent,
    services: {
      sessionUpdate: async () => ({ applied: true }),
      heartbeat: async () => ({ resync: true, leaseMs: 10000 }),
      sync: async (snap: GatewaySnapshot) => {
        sent.push(snap);
        await sync(snap);
        return { sessions: 0, memberships: 0 };
      },
    },
  };
}

function reporterWith(sessions: number, opts: Partial<PresenceReporterOptions> & Pick<PresenceReporterOptions, 'services'>): PresenceReporter {
  const reporter = new PresenceReporter({ gateway: 'gw-reporter-test', heartbeatIntervalMs: 60000, logger: silent, ...opts });
  for (let i = 0; i < sessions; i++) {
    const session = `s-${i}-${'x'.repeat(i % 17)}`;
    reporter.open(session, `user-${i % 997}`);
    reporter.join(session, `room-${i % 50}`);
    if (i % 3 === 0) reporter.join(session, `room-${(i * 7) % 50}`);
  }
  return reporter;
}

/** The parts one sync sent, checked to be one well-formed set; returns the sessions in order. */
function reassemble(parts: GatewaySnapshot[]): SessionSnapshot[] {
  const [first] = parts;
  expect(first.chunk).toBeDefined();
  for (const [index, part] of parts.entries()) {
    expect(part.chunk).toEqual({ id: first.chunk?.id, index, count: parts.length });
    expect([part.gateway, part.incarnation, part.v, part.at]).toEqual([first.gateway, first.incarnation, first.v, first.at]);
    expect(part.sessions.length).toBeGreaterThan(0);
  }
  return parts.flatMap((p) => p.sessions);
}

describe('presence reporter snapshots', () => {
  it('presence reporter - a snapshot over the budget is sent as parts under it, one set in order', async () => {
    const fake = fakeServices();
    const reporter = reporterWith(3000, { services: fake.services, syncChunkBytes: 8192 });
    expect(bytes(reporter.snapshot())).toBeGreaterThan(8192 * 20);
    await reporter.beat();

    expect(fake.sent.length).toBeGreaterThan(20);
    for (const part of fake.sent) expect(bytes(part)).toBeLessThanOrEqual(8192);
    expect(reassemble(fake.sent)).toEqual(reporter.snapshot());
    expect(fake.sent[0]).toMatchObject({ gateway: 'gw-reporter-test', incarnation: reporter.incarnation, v: reporter.version });
    expect(reporter.isDirty).toBe(false);
  });

  it('presence reporter - a snapshot within the budget is one message without a chunk', async () => {
    const fake = fakeServices();
    const reporter = reporterWith(20, { services: fake.services, syncChunkBytes: 8192 });
    await reporter.beat();
    expect(fake.sent).toHaveLength(1);
    expect(fake.sent[0].chunk).toBeUndefined();
    expect(fake.sent[0].sessions).toEqual(reporter.snapshot());
  });

  it('presence reporter - the budget is max_payload less headroom, or the configured size when smaller', () => {
    const { services } = fakeServices();
    expect(new PresenceReporter({ gateway: 'g', heartbeatIntervalMs: 1000, logger: silent, services }).syncBudgetBytes).toBe(1024 * 1024 - 16 * 1024);
    const small = new PresenceReporter({ gateway: 'g', heartbeatIntervalMs: 1000, logger: silent, services, maxPayload: () => 64 * 1024 });
    expect(small.syncBudgetBytes).toBe(48 * 1024);
    expect(new PresenceReporter({ gateway: 'g', heartbeatIntervalMs: 1000, logger: silent, services, maxPayload: () => 64 * 1024, syncChunkBytes: 1000000 }).syncBudgetBytes).toBe(48 * 1024);
    expect(new PresenceReporter({ gateway: 'g', heartbeatIntervalMs: 1000, logger: silent, services, syncChunkBytes: 4096 }).syncBudgetBytes).toBe(4096);
  });

  it('presence reporter - a part that fails stops the sync and keeps the gateway dirty; the next beat sends a new set', async () => {
    let failIndex: number | undefined = 2;
    const fake = fakeServices(async (snap) => {
      if (snap.chunk?.index === failIndex) throw new ContractError('DEPENDENCY_DOWN', 'presence store down', 'presence-service');
    });
    const reporter = reporterWith(1000, { services: fake.services, syncChunkBytes: 4096 });
    await reporter.beat();
    expect(fake.sent.map((p) => p.chunk?.index)).toEqual([0, 1, 2]);
    expect(reporter.isDirty).toBe(true);

    failIndex = undefined;
    fake.sent.length = 0;
    await reporter.beat();
    expect(reassemble(fake.sent)).toEqual(reporter.snapshot());
    expect(reporter.isDirty).toBe(false);
  });

  it('presence reporter - split keeps a session larger than the budget whole, alone in its part', () => {
    const big: SessionSnapshot = { session: 'big', user: 'u', connectedAt: 1, rooms: Array.from({ length: 100 }, (_x, i) => `room-with-a-long-name-${i}`) };
    const small = (i: number): SessionSnapshot => ({ session: `s${i}`, user: 'u', connectedAt: 1, rooms: [] });
    const parts = splitSnapshot({ gateway: 'g', incarnation: 'i', v: 1, at: 1, sessions: [small(1), big, small(2)] }, 1024, () => 'chunk-1');
    expect(parts.map((p) => p.sessions.map((s) => s.session))).toEqual([['s1'], ['big'], ['s2']]);
  });
});

describe('presence reporter over NATS', () => {
  let nats: TestNats;
  let bus: Bus;
  let server: Bus;

  beforeAll(async () => {
    nats = await startNats();
    bus = new Bus(await connect({ servers: nats.url }), { source: 'test/gateway', logger: silent });
    server = new Bus(await connect({ servers: nats.url }), { source: 'test/presence', logger: silent });
  });

  afterAll(async () => {
    await Promise.all([bus?.nc.close(), server?.nc.close()]);
    await nats?.close();
  });

  it('presence reporter - a snapshot larger than max_payload reaches presence whole, in parts through the breaker', async () => {
    // A stand-in for presence-service: it puts the parts of a set together as they arrive.
    const received: GatewaySnapshot[] = [];
    const sub = server.serve(PresenceSync, async (snap) => {
      received.push(snap);
      return { sessions: 0, memberships: 0 };
    });
    await server.nc.flush();
    try {
      const clients = createServiceClient(bus, GATEWAY_CALLS, RETRY_PRESETS, { timeoutMs: 5000, resetTimeoutMs: 1000, breaker: { logger: silent } });
      const fake = fakeServices();
      const services = { ...fake.services, sync: clients.sync };
      const reporter = reporterWith(12000, { services, maxPayload: () => bus.nc.info?.max_payload });
      const maxPayload = bus.nc.info?.max_payload ?? 0;
      const whole: GatewaySnapshot = { gateway: 'gw-reporter-test', incarnation: reporter.incarnation, v: reporter.version, sessions: reporter.snapshot(), at: 1 };
      expect(bytes(whole)).toBeGreaterThan(maxPayload);
      // What the gateway did before: one message, refused by NATS, forever.
      await expect(clients.sync(whole)).rejects.toBeInstanceOf(ContractError);
      expect(received).toHaveLength(0);

      await reporter.beat();
      expect(reporter.isDirty).toBe(false);
      expect(received.length).toBeGreaterThan(1);
      expect(reassemble(received)).toEqual(reporter.snapshot());
      expect(clients.breakers['presence-service'].state()).toBe('closed');
    } finally {
      sub.unsubscribe();
    }
  });
});
