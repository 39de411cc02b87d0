import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTRACT_ERRORS, isContractError } from '@relay/contracts';
import { NOTIFY_ERRORS, notifyError, type NotifyErrorCode } from './errors';

describe('errors', () => {
  const codes = Object.keys(NOTIFY_ERRORS) as NotifyErrorCode[];

  it('errors - every code is a NOTIF_ code mapped to a contract code', () => {
    for (const code of codes) {
      expect(code).toMatch(/^NOTIF_[A-Z_]+$/);
      expect(CONTRACT_ERRORS).toHaveProperty(NOTIFY_ERRORS[code].contract);
    }
  });

  it('errors - the factory builds a ContractError that names the code and the service', () => {
    const err = notifyError('NOTIF_STORE_UNAVAILABLE', 'redis is down');
    expect(isContractError(err)).toBe(true);
    expect(err.code).toBe('DEPENDENCY_DOWN');
    expect(err.retryable).toBe(true);
    expect(err.service).toBe('notification-service');
    expect(err.message).toBe('NOTIF_STORE_UNAVAILABLE: redis is down');
    expect(notifyError('NOTIF_TEXT_BLANK').message).toBe('NOTIF_TEXT_BLANK: text is blank');
  });

  it('errors - docs/notifications.md lists every code with its contract code, and no other', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/notifications.md'), 'utf8');
    for (const code of codes) expect(doc).toMatch(new RegExp(`\\| \`${code}\` \\| \`${NOTIFY_ERRORS[code].contract}\` \\|`));
    const documented = [...doc.matchAll(/\| `(NOTIF_[A-Z_]+)` \|/g)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...codes].sort());
  });
});
