import { ContractError } from '@relay/contracts';
import pino from 'pino';
import { BreakerRegistry, createBreaker } from './breaker';
import { createMetrics } from './metrics';

const logger = pino({ level: 'silent' });

describe('breaker', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('breaker - opens after failures, half-opens after the reset time, closes on success', async () => {
    jest.useFakeTimers();
    let healthy = false;
    const metrics = createMetrics('test', 't1');
    const registry = new BreakerRegistry();
    const b = createBreaker(
      async () => {
        if (!healthy) throw new ContractError('NO_RESPONDERS', 'down', 'chat-service');
        return 'ok';
      },
      { name: 'chat', timeoutMs: 1000, volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: 5000 },
      { logger, metrics, registry },
    );

    for (let i = 0; i < 3; i++) await expect(b.call()).rejects.toMatchObject({ code: 'NO_RESPONDERS' });
    expect(b.state()).toBe('open');
    expect(registry.states()).toEqual({ chat: 'open' });
    // While open the breaker answers at once, without calling the target.
    await expect(b.call()).rejects.toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    expect(await metrics.registry.getSingleMetricAsString('relay_breaker_state')).toMatch(/breaker="chat".*} 2/);

    healthy = true;
    jest.advanceTimersByTime(5001);
    expect(b.state()).toBe('half-open');
    await expect(b.call()).resolves.toBe('ok');
    expect(b.state()).toBe('closed');
    expect(await metrics.registry.getSingleMetricAsString('relay_breaker_state')).toMatch(/breaker="chat".*} 0/);
    b.shutdown();
  });

  it('breaker - a failed trial call in half-open opens it again', async () => {
    jest.useFakeTimers();
    const b = createBreaker(
      async () => {
        throw new ContractError('TIMEOUT', 'slow', 'x');
      },
      { name: 'x', timeoutMs: 1000, volumeThreshold: 1, resetTimeoutMs: 1000 },
      { logger },
    );
    await expect(b.call()).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(b.state()).toBe('open');
    jest.advanceTimersByTime(1001);
    expect(b.state()).toBe('half-open');
    await expect(b.call()).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(b.state()).toBe('open');
    b.shutdown();
  });

  it('breaker - client errors pass through without tripping it', async () => {
    const b = createBreaker(
      async () => {
        throw new ContractError('BAD_REQUEST', 'bad room', 'chat-service');
      },
      { name: 'client-errors', timeoutMs: 1000, volumeThreshold: 1 },
      { logger },
    );
    for (let i = 0; i < 10; i++) await expect(b.call()).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(b.state()).toBe('closed');
    b.shutdown();
  });

  it('breaker - the timeout lives inside the breaker and becomes TIMEOUT', async () => {
    jest.useFakeTimers();
    const b = createBreaker(() => new Promise<string>(() => undefined), { name: 'hang', timeoutMs: 200, volumeThreshold: 100 }, { logger });
    const call = b.call();
    const assertion = expect(call).rejects.toMatchObject({ code: 'TIMEOUT', retryable: true });
    jest.advanceTimersByTime(201);
    await assertion;
    b.shutdown();
  });

  it('breaker - timeouts of a busy target that keeps answering other calls do not open it', async () => {
    // A queue in front of the target: each call is answered 30 ms after the previous one, so the
    // later ones outlive the 100 ms timeout while answers keep coming (busy, not down).
    let nextAnswerAt = 0;
    const b = createBreaker(
      () => {
        nextAnswerAt = Math.max(nextAnswerAt, performance.now()) + 30;
        return new Promise<string>((resolve) => setTimeout(() => resolve('ok'), nextAnswerAt - performance.now()));
      },
      { name: 'busy', timeoutMs: 100, volumeThreshold: 2, errorThresholdPercentage: 10 },
      { logger },
    );
    const outcomes = await Promise.all(Array.from({ length: 12 }, () => b.call().then(() => 'ok', (err: { code: string }) => err.code)));
    expect(outcomes.filter((o) => o === 'ok').length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o === 'TIMEOUT').length).toBeGreaterThan(0);
    expect(b.state()).toBe('closed');
    b.shutdown();
  });

  it('breaker - timeouts of a target that answers nothing still open it', async () => {
    jest.useFakeTimers();
    const b = createBreaker(() => new Promise<string>(() => undefined), { name: 'silent', timeoutMs: 100, volumeThreshold: 3, errorThresholdPercentage: 50 }, { logger });
    const calls = Array.from({ length: 3 }, () => b.call().catch((err: { code: string }) => err.code));
    jest.advanceTimersByTime(101);
    expect(await Promise.all(calls)).toEqual(['TIMEOUT', 'TIMEOUT', 'TIMEOUT']);
    expect(b.state()).toBe('open');
    b.shutdown();
  });
});
