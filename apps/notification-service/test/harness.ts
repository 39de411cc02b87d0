import { MentionStream, newId, parseMentions, PresenceOnline, RoomMention, type ChatMessage, type MentionEvent } from '@relay/contracts';
import { Bus, ensureStream } from '@relay/bus';
import { connectNats, createLogger, readStreamSettings, redisReady } from '@relay/service-kit';
import { startNats, startRedis, type TestNats, type TestRedis } from '@relay/testing';
import type { NatsConnection } from 'nats';
import { buildApp, type NotificationApp } from '../src/app';
import { readConfig } from '../src/config';

export const silent = createLogger({ service: 'notification-test', instanceId: 'test', level: 'silent' });

/** A private NATS and Redis, a test-side Bus, and notification-service instances in-process. */
export class Harness {
  readonly apps: NotificationApp[] = [];
  /** Users the fake presence-service calls online. */
  readonly online = new Set<string>();

  private constructor(
    readonly nats: TestNats,
    readonly redis: TestRedis,
    readonly nc: NatsConnection,
    readonly bus: Bus,
  ) {}

  static async start(): Promise<Harness> {
    const [nats, redis] = await Promise.all([startNats(), startRedis()]);
    const nc = await connectNats({ url: nats.url, name: 'test', logger: silent });
    // chat-service owns the mention stream; here the harness plays it.
    await ensureStream(nc, MentionStream, readStreamSettings({})[MentionStream.name]);
    return new Harness(nats, redis, nc, new Bus(nc, { source: 'test/harness', logger: silent }));
  }

  /** The mention event chat-service would publish for `msg` (undefined: it mentions nobody but its sender). */
  static mentionOf(msg: ChatMessage): MentionEvent | undefined {
    const mentioned = parseMentions(msg.text).filter((u) => u !== msg.from);
    return mentioned.length === 0 ? undefined : { room: msg.room, messageId: msg.id, seq: msg.seq, from: msg.from, mentioned, text: msg.text, ts: msg.ts };
  }

  /**
   * Stores a mention event in the stream as chat-service does (envelope id = Nats-Msg-Id derived
   * from the message id). `envelopeId` overrides it: the stream then stores a second copy, which
   * is how a test makes the consumer see the same message twice.
   */
  async publishMention(event: MentionEvent, envelopeId = `mention-${event.messageId}`): Promise<void> {
    await this.bus.publishDurable({ def: RoomMention, params: { room: event.room }, data: event, identity: { id: envelopeId, time: event.ts } }, { timeoutMs: 5000 });
  }

  /** publishMention with a fresh envelope id: a second copy of the same mention. */
  async republishMention(event: MentionEvent): Promise<void> {
    await this.publishMention(event, newId());
  }

  /** One more notification-service instance; `env` overrides its configuration. */
  async addApp(env: Record<string, string> = {}): Promise<NotificationApp> {
    const config = readConfig({
      ...this.nats.envFor('notification-service'),
      REDIS_URL: this.redis.url,
      HEALTH_PORT: '0',
      INSTANCE_ID: `notif-${this.apps.length + 1}`,
      PRESENCE_TIMEOUT_MS: '300',
      ...env,
    });
    const app = await buildApp(config, { logger: silent });
    this.apps.push(app);
    if (!app.redis || !(await redisReady(app.redis, 5000))) throw new Error('redis not ready');
    await app.mentions.ready();
    await app.nc.flush();
    return app;
  }

  /** Answers PresenceOnline from `online`, as presence-service would. */
  fakePresence(): { stop(): Promise<void> } {
    const sub = this.bus.serve(PresenceOnline, async ({ users }) => ({ online: users.filter((u) => this.online.has(u)) }));
    return { stop: () => sub.drain() };
  }

  /** Sum of a metric's values over every instance, optionally for one label set. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    let total = 0;
    for (const app of this.apps) {
      const m = app.metrics.registry.getSingleMetric(name);
      if (!m) continue;
      for (const v of (await m.get()).values) {
        if (Object.entries(labels).every(([k, want]) => v.labels[k] === want)) total += v.value;
      }
    }
    return total;
  }

  /**
   * After it, every message NATS routed to an instance before the call has reached that
   * instance's handlers: a PONG comes back on a connection only after what was queued before it.
   */
  async barrier(): Promise<void> {
    await this.nc.flush();
    await Promise.all(this.apps.map((a) => a.nc.flush()));
  }

  async close(): Promise<void> {
    for (const app of this.apps) await app.shutdown.run('test over');
    await this.nc.drain();
    await Promise.all([this.nats.close(), this.redis.close()]);
  }
}
