import type { TokenClaims } from '@relay/contracts';
import type { Connection } from './connection';
import { ConnectionAuth } from './connection-auth';

/** Only identity matters to ConnectionAuth: any object stands for a connection. */
const conn = (name: string) => ({ name }) as unknown as Connection;
const claims = (sub: string, exp: number): TokenClaims => ({ sub, exp }) as TokenClaims;

describe('ConnectionAuth', () => {
  let now = 0;
  let expired: Connection[] = [];
  let auth: ConnectionAuth;

  beforeEach(() => {
    now = 1_000_000;
    expired = [];
    auth = new ConnectionAuth({ clockSkewMs: 2000, now: () => now, onExpired: (c) => expired.push(c), sweepIntervalMs: 60_000 });
  });

  afterEach(() => auth.sweep());

  it('auth - a sweep closes only connections past exp plus the clock skew, each once', () => {
    const a = conn('a');
    const b = conn('b');
    auth.attach(a, claims('a', 1000)); // good until 1,002,000 ms
    auth.attach(b, claims('b', 1010));
    now = 1_002_000;
    auth.sweep();
    expect(expired).toEqual([]);
    now = 1_002_001;
    auth.sweep();
    expect(expired).toEqual([a]);
    expect(auth.claimsOf(a)).toBeUndefined();
    expect(auth.claimsOf(b)).toMatchObject({ sub: 'b' });
    auth.sweep();
    expect(expired).toEqual([a]);
    now = 1_012_001;
    auth.sweep();
    expect(expired).toEqual([a, b]);
  });

  it('auth - a refresh moves the expiry; a detached connection is never closed by the sweep', () => {
    const a = conn('a');
    const b = conn('b');
    auth.attach(a, claims('a', 1000));
    auth.attach(b, claims('b', 1000));
    auth.refresh(a, claims('a', 2000));
    auth.detach(b);
    now = 1_500_000;
    auth.sweep();
    expect(expired).toEqual([]);
    expect(auth.claimsOf(a)?.exp).toBe(2000);
    // A refresh of a connection that is no longer attached does not bring it back.
    auth.refresh(b, claims('b', 3000));
    expect(auth.claimsOf(b)).toBeUndefined();
  });

  it('auth - a token already expired when the connection is attached closes it at once', () => {
    const late = conn('late');
    auth.attach(late, claims('late', 990)); // good until 992,000 ms; now is 1,000,000
    expect(expired).toEqual([late]);
    expect(auth.claimsOf(late)).toBeUndefined();
  });

  it('auth - the timer sweeps by itself while connections are open', async () => {
    const real = new ConnectionAuth({ clockSkewMs: 0, onExpired: (c) => expired.push(c), sweepIntervalMs: 20 });
    const a = conn('a');
    real.attach(a, claims('a', Math.floor(Date.now() / 1000) - 1));
    const deadline = Date.now() + 5000;
    while (expired.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(expired).toEqual([a]);
  });
});
