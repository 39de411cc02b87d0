// The per-sender mention budget: shared by every instance through Redis, charged once per
// message, and refusing the mentions past it.
import { newId, NotifyPending, RoomMessage, type ChatMessage } from '@relay/contracts';
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
    const publish = async (text: string) => {
      const msg: ChatMessage = { room: 'lobby', id: newId(), seq: ++seq, from: sender, text, ts: Date.now() };
      h.bus.publish(RoomMessage, { room: msg.room }, msg);
      await h.nc.flush();
    };
    await publish(`@${a} @${b}`);
    await waitFor(async () => ((await pending(a)).length === 1 && (await pending(b)).length === 1 ? true : undefined), { what: 'first two mentions' });
    await publish(`@${c} @${d}`);
    // One handler run stores all it keeps at once: once c has it, d's fate is decided.
    await waitFor(async () => ((await pending(c)).length === 1 ? true : undefined), { what: 'third mention' });
    expect(await pending(d)).toEqual([]);
    // Another sender has a budget of their own.
    const other = uniqueName('other');
    h.bus.publish(RoomMessage, { room: 'lobby' }, { room: 'lobby', id: newId(), seq: ++seq, from: other, text: `@${d}`, ts: Date.now() });
    await waitFor(async () => ((await pending(d)).length === 1 ? true : undefined), { what: 'mention by another sender' });
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
