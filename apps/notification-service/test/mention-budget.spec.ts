// The per-sender mention budget: shared by every instance through Redis, charged once per
// message, and refusing the mentions past it.
import { newId, NotifyPending } from '@relay/contracts';
import { uniqueName, waitFor } from '@relay/testing';
import { Redis } from 'ioredis';
import { MentionBudget } from '../src/mention-budget';
import { Harness } from './harness';

describe('mention budget', () => {
  let h: Harness;
  let presence: { stop(): Promise<void> };
  let seq = 0;

  beforeAll(async () => {
    h = await Harness.start();
    presence = h.fakePresence();
    const env = { MENTION_BUDGET_PER_MINUTE: '3' };
    await h.addApp(env);
    await h.addApp(env);
  });

  afterAll(async () => {
    await presence?.stop();
    await h?.close();
  });

  const pending = async (user: string) => (await h.bus.request(NotifyPending, { user }, { timeoutMs: 3000 })).notifications;

  it('mention budget - a sender past MENTION_BUDGET_PER_MINUTE notifies nobody more, across messages and instances', async () => {
    const sender = uniqueName('spammer');
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((u) => uniqueName(u));
    const publish = (mentioned: string[], from = sender) =>
      h.publishMention({ room: 'lobby', messageId: newId(), seq: ++seq, from, mentioned, text: mentioned.map((u) => `@${u}`).join(' '), ts: Date.now() });
    await publish([a, b]);
    await waitFor(async () => ((await pending(a)).length === 1 && (await pending(b)).length === 1 ? true : undefined), { what: 'first two mentions' });
    await publish([c, d]);
    // One handler run stores all it keeps at once: once c has it, d's fate is decided.
    await waitFor(async () => ((await pending(c)).length === 1 ? true : undefined), { what: 'third mention' });
    expect(await pending(d)).toEqual([]);
    // Another sender has a budget of their own.
    const other = uniqueName('other');
    await publish([d], other);
    await waitFor(async () => ((await pending(d)).length === 1 ? true : undefined), { what: 'mention by another sender' });
  });

  it('mention budget - takeOnce() charges a message once, however often it is delivered', async () => {
    const redis = new Redis(h.redis.url);
    try {
      const budget = new MentionBudget(redis, { perWindow: 5, windowMs: 60000 });
      const sender = uniqueName('s');
      const [m1, m2] = [newId(), newId()];
      expect(await budget.takeOnce(sender, m1, 3)).toBe(3);
      // A redelivery of m1 gets its grant back and spends nothing.
      expect(await budget.takeOnce(sender, m1, 3)).toBe(3);
      expect(await budget.takeOnce(sender, m2, 3)).toBe(2);
      expect(await budget.takeOnce(sender, m2, 3)).toBe(2);
      expect(await budget.take(sender, 1)).toBe(0);
    } finally {
      redis.disconnect();
    }
  });

  it('mention budget - take() gives what is left of the window and charges it', async () => {
    const redis = new Redis(h.redis.url);
    try {
      const budget = new MentionBudget(redis, { perWindow: 5, windowMs: 60000 });
      const sender = uniqueName('s');
      expect(await budget.take(sender, 3)).toBe(3);
      expect(await budget.take(sender, 3)).toBe(2);
      expect(await budget.take(sender, 1)).toBe(0);
      expect(await redis.pttl(`notif:{${sender}}:mention-budget`)).toBeGreaterThan(0);
      expect(await new MentionBudget(redis, { perWindow: 0, windowMs: 60000 }).take(sender, 7)).toBe(7);
    } finally {
      redis.disconnect();
    }
  });
});
