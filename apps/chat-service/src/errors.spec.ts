import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTRACT_ERRORS, isContractError } from '@relay/contracts';
import { CHAT_ERRORS, chatError, type ChatErrorCode } from './errors';

const codes = Object.keys(CHAT_ERRORS) as ChatErrorCode[];

describe('errors', () => {
  it('errors - every code is a stable CHAT_* name mapped onto a ContractError code', () => {
    for (const code of codes) {
      expect(code).toMatch(/^CHAT_[A-Z_]+$/);
      expect(Object.keys(CONTRACT_ERRORS)).toContain(CHAT_ERRORS[code].contract);
    }
  });

  it('errors - the factory makes ContractErrors that lead with the CHAT_* code and name the service', () => {
    for (const code of codes) {
      const err = chatError(code, 'detail');
      expect(isContractError(err)).toBe(true);
      expect(err.serviceCode).toBe(code);
      expect(err.code).toBe(CHAT_ERRORS[code].contract);
      expect(err.retryable).toBe(CONTRACT_ERRORS[CHAT_ERRORS[code].contract].retryable);
      expect(err.toJSON()).toEqual({ code: err.code, message: `${code}: detail`, retryable: err.retryable, service: 'chat-service' });
    }
    expect(chatError('CHAT_TEXT_EMPTY').message).toBe(`CHAT_TEXT_EMPTY: ${CHAT_ERRORS.CHAT_TEXT_EMPTY.message}`);
  });

  it('errors - the README error table lists exactly the codes of the table, with their contract codes', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| `(CHAT_[A-Z_]+)` \| `([A-Z_]+)` \|/gm)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual(codes.map((code) => [code, CHAT_ERRORS[code].contract]));
  });
});
