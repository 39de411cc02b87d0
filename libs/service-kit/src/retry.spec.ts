import { ContractError } from '@relay/contracts';
import { withRetry } from './retry';

describe('retry', () => {
  it('retry - retries retryable errors and returns the first success', async () => {
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw new ContractError('TIMEOUT');
        return 'done';
      },
      { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    );
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('retry - does not retry client errors or an open breaker', async () => {
    for (const code of ['BAD_REQUEST', 'UNAVAILABLE'] as const) {
      let calls = 0;
      await expect(
        withRetry(
          async () => {
            calls++;
            throw new ContractError(code);
          },
          { attempts: 5, baseDelayMs: 1, maxDelayMs: 1 },
        ),
      ).rejects.toMatchObject({ code });
      expect(calls).toBe(1);
    }
  });

  it('retry - gives up after the last attempt with the last error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new ContractError('NO_RESPONDERS');
        },
        { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
      ),
    ).rejects.toMatchObject({ code: 'NO_RESPONDERS' });
    expect(calls).toBe(3);
  });
});

describe('retry predicate', () => {
  it('retry - a custom predicate decides which failures are retried', async () => {
    let calls = 0;
    const quick = (err: unknown) => (err as ContractError).code === 'NO_RESPONDERS';
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new ContractError('TIMEOUT');
        },
        { attempts: 3, baseDelayMs: 1, maxDelayMs: 1, isRetryable: quick },
      ),
    ).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(calls).toBe(1);
  });
});
