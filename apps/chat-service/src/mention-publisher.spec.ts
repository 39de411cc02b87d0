import { ContractError, type ChatMessage } from '@relay/contracts';
import type { Bus } from '@relay/bus';
import { createMetrics, type Logger } from '@relay/service-kit';
import { mentionEventId, mentionEventOf, MentionPublisher } from './mention-publisher';
import { createChatMetrics } from './metrics';

const message = (text: string, from = 'alice'): ChatMessage => ({ room: 'lobby', id: 'm1', seq: 3, from, text, ts: 10 });
const FAST = { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 };

function setup(publishDurable: Bus['publishDurable']) {
  const metrics = createChatMetrics(createMetrics('chat-service', 'test'));
  const errors: Array<Record<string, unknown>> = [];
  const logger = { error: (obj: Record<string, unknown>) => errors.push(obj) } as unknown as Logger;
  const retry = { ...FAST, isRetryable: (err: unknown) => !(err instanceof ContractError) };
  return { metrics, errors, publisher: new MentionPublisher({ bus: { publishDurable }, logger, metrics, ackTimeoutMs: 100, retry }) };
}

const value = async (c: { get(): Promise<{ values: Array<{ value: number; labels: Record<string, unknown> }> }> }, outcome?: string) =>
  (await c.get()).values.filter((v) => outcome === undefined || v.labels.outcome === outcome).reduce((a, v) => a + v.value, 0);

describe('mention publisher', () => {
  it('mention publisher - the event names the distinct mentioned users, never the sender; none without a mention', () => {
    expect(mentionEventOf(message('@bob hi @carol @bob, and @alice'))).toEqual({ room: 'lobby', messageId: 'm1', seq: 3, from: 'alice', mentioned: ['bob', 'carol'], text: '@bob hi @carol @bob, and @alice', ts: 10 });
    expect(mentionEventOf(message('no one, mail a@b.c'))).toBeUndefined();
    expect(mentionEventOf(message('me @alice'))).toBeUndefined();
  });

  it('mention publisher - publishes with the message-derived id, retries a missing ack, counts the stored one', async () => {
    const calls: unknown[] = [];
    const publishDurable = jest.fn(async (event: unknown) => {
      calls.push(event);
      if (calls.length < 2) throw new Error('TIMEOUT');
      return { streamSeq: 1, duplicate: false };
    }) as unknown as Bus['publishDurable'];
    const { publisher, metrics, errors } = setup(publishDurable);
    publisher.announce(message('@bob'), 'corr');
    await publisher.idle();
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ identity: { id: mentionEventId('m1'), time: 10 }, params: { room: 'lobby' }, correlationId: 'corr' });
    expect(await value(metrics.mentionsPublished, 'stored')).toBe(1);
    expect(errors).toEqual([]);
  });

  it('mention publisher - a publish that never gets its ack is logged with its context and counted', async () => {
    const publishDurable = jest.fn(async () => {
      throw new Error('no ack');
    }) as unknown as Bus['publishDurable'];
    const { publisher, metrics, errors } = setup(publishDurable);
    publisher.announce(message('@bob @carol'), 'corr');
    await publisher.idle();
    expect(publishDurable).toHaveBeenCalledTimes(FAST.attempts);
    expect(await value(metrics.mentionPublishFailures)).toBe(1);
    expect(errors).toEqual([expect.objectContaining({ correlationId: 'corr', room: 'lobby', seq: 3, messageId: 'm1', mentioned: 2 })]);
  });

  it('mention publisher - announce waits for the first attempt only; the retries go on in the background', async () => {
    let calls = 0;
    let release: (() => void) | undefined;
    const publishDurable = jest.fn(async () => {
      calls++;
      if (calls === 1) throw new Error('no responders');
      await new Promise<void>((r) => (release = r));
      return { streamSeq: 1, duplicate: false };
    }) as unknown as Bus['publishDurable'];
    const { publisher, metrics } = setup(publishDurable);
    await publisher.announce(message('@bob'));
    expect(await value(metrics.mentionsPublished)).toBe(0);
    await new Promise<void>((r) => {
      const poll = setInterval(() => {
        if (!release) return;
        clearInterval(poll);
        r();
      }, 1);
    });
    release?.();
    await publisher.idle();
    expect(await value(metrics.mentionsPublished, 'stored')).toBe(1);
  });

  it('mention publisher - a message without mentions publishes nothing', async () => {
    const publishDurable = jest.fn() as unknown as Bus['publishDurable'];
    const { publisher } = setup(publishDurable);
    publisher.announce(message('plain'));
    await publisher.idle();
    expect(publishDurable).not.toHaveBeenCalled();
  });
});
