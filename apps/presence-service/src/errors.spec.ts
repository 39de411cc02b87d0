import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CONTRACT_ERRORS } from '@relay/contracts';
import { PRESENCE_ERRORS, presenceError } from './errors';

const DOC = readFileSync(resolve(__dirname, '../../../docs/presence.md'), 'utf8');

describe('errors', () => {
  it('errors - every code is in the table of docs/presence.md with its contract code, and nothing else is', () => {
    const documented = [...DOC.matchAll(/^\| `(PRESENCE_[A-Z_]+)` \| `([A-Z_]+)` \|/gm)].map((m) => [m[1], m[2]]);
    expect(documented).toEqual(Object.entries(PRESENCE_ERRORS).map(([code, e]) => [code, e.contract]));
  });

  it('errors - the factory makes a ContractError led by the PRESENCE_ code, retryable as its contract code says', () => {
    for (const code of Object.keys(PRESENCE_ERRORS) as (keyof typeof PRESENCE_ERRORS)[]) {
      const err = presenceError(code, 'detail');
      expect(err.code).toBe(PRESENCE_ERRORS[code].contract);
      expect(err.retryable).toBe(CONTRACT_ERRORS[PRESENCE_ERRORS[code].contract].retryable);
      expect(err.message).toBe(`${code}: detail`);
      expect(err.service).toBe('presence-service');
    }
  });
});
