import { AdmissionLimiter, isOverloadedError, OverloadedError } from './admission';
import { createMetrics } from './metrics';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('admission limiter', () => {
  it('admission - admits up to maxInFlight, refuses the newest excess at once with retryAfterMs, admits again when a call ends', async () => {
    const limiter = new AdmissionLimiter({ name: 'chat-service', maxInFlight: 2, retryAfterMs: 200 });
    const a = deferred();
    const b = deferred();
    const first = limiter.run(() => a.promise.then(() => 'a'));
    const second = limiter.run(() => b.promise.then(() => 'b'));
    expect(limiter.inFlight).toBe(2);
    const refused = await limiter.run(async () => 'c').catch((err: unknown) => err);
    expect(isOverloadedError(refused)).toBe(true);
    expect(refused).toMatchObject({ code: 'OVERLOADED', target: 'chat-service' });
    expect((refused as OverloadedError).retryAfterMs).toBeGreaterThanOrEqual(200);
    expect((refused as OverloadedError).retryAfterMs).toBeLessThanOrEqual(300);
    a.resolve();
    expect(await first).toBe('a');
    expect(limiter.inFlight).toBe(1);
    expect(await limiter.run(async () => 'd')).toBe('d');
    b.resolve();
    expect(await second).toBe('b');
    expect(limiter.inFlight).toBe(0);
  });

  it('admission - a failing or throwing call frees its slot and its error passes through', async () => {
    const limiter = new AdmissionLimiter({ name: 'x', maxInFlight: 1, retryAfterMs: 100 });
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(
      limiter.run(() => {
        throw new Error('sync boom');
      }),
    ).rejects.toThrow('sync boom');
    expect(limiter.inFlight).toBe(0);
    expect(await limiter.run(async () => 1)).toBe(1);
  });

  it('admission - in-flight and shed calls are metrics', async () => {
    const metrics = createMetrics('test', 'admission-1');
    const limiter = new AdmissionLimiter({ name: 'chat-service', maxInFlight: 1, retryAfterMs: 100 }, metrics);
    const a = deferred();
    const held = limiter.run(() => a.promise);
    await limiter.run(async () => 1).catch(() => undefined);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/relay_admission_in_flight\{[^}]*target="chat-service"[^}]*\} 1/);
    expect(text).toMatch(/relay_admission_shed_total\{[^}]*target="chat-service"[^}]*\} 1/);
    a.resolve();
    await held;
  });

  it('admission - a limit below 1 is refused with a message naming the limiter', () => {
    expect(() => new AdmissionLimiter({ name: 'chat-service', maxInFlight: 0, retryAfterMs: 1 })).toThrow(/chat-service: maxInFlight/);
  });
});
