import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_ERROR_CODES, ContractError } from '@relay/contracts';
import { OverloadedError } from '@relay/service-kit';
import { fromDownstream, GATEWAY_ERRORS, gatewayError } from './errors';

describe('gateway errors', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

  it.each(Object.entries(GATEWAY_ERRORS))('errors - %s maps to a protocol code and is documented in the README', (code, entry) => {
    expect(CLIENT_ERROR_CODES).toContain(entry.client);
    expect(readme).toMatch(new RegExp(`\\| \`${code}\` \\| \`${entry.client}\` \\|`));
    const err = gatewayError(code as keyof typeof GATEWAY_ERRORS);
    expect(err.clientCode).toBe(entry.client);
    expect(err.message).toBe(entry.message);
  });

  it('errors - the README lists no code that the table lacks', () => {
    const documented = [...readme.matchAll(/\| `(GW_[A-Z_]+)` \|/g)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(GATEWAY_ERRORS).sort());
  });

  it.each([
    ['BAD_REQUEST', 'BAD_REQUEST'],
    ['BAD_SUBJECT', 'BAD_REQUEST'],
    ['REJECTED', 'BAD_REQUEST'],
    ['TIMEOUT', 'SERVICE_UNAVAILABLE'],
    ['NO_RESPONDERS', 'SERVICE_UNAVAILABLE'],
    ['UNAVAILABLE', 'SERVICE_UNAVAILABLE'],
    ['DEPENDENCY_DOWN', 'SERVICE_UNAVAILABLE'],
    ['BAD_REPLY', 'INTERNAL'],
    ['INTERNAL', 'INTERNAL'],
  ] as const)('errors - a downstream %s is %s for the client', (contract, client) => {
    expect(fromDownstream(new ContractError(contract, 'x', 'chat-service'), 'chat').clientCode).toBe(client);
  });

  it('errors - a call refused by admission control is SERVICE_UNAVAILABLE with its retryAfterMs', () => {
    const err = fromDownstream(new OverloadedError('chat-service', 640), 'chat');
    expect(err).toMatchObject({ code: 'GW_OVERLOADED', clientCode: 'SERVICE_UNAVAILABLE', retryAfterMs: 640, message: 'chat is at capacity, retry after 640 ms' });
  });

  it('errors - an unknown failure is INTERNAL and says nothing of its cause', () => {
    const err = fromDownstream(new Error('redis password is hunter2'), 'chat');
    expect(err.clientCode).toBe('INTERNAL');
    expect(err.message).not.toMatch(/hunter2/);
  });
});
