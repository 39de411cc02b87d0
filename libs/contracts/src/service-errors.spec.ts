import { ContractError } from './errors';
import { defineServiceErrors, ServiceError } from './service-errors';

describe('service-errors', () => {
  const errors = defineServiceErrors('demo-service', {
    DEMO_BAD: { contract: 'BAD_REQUEST', message: 'bad input' },
    DEMO_DOWN: { contract: 'DEPENDENCY_DOWN', message: 'store down' },
  });
  const other = defineServiceErrors('other-service', { OTHER_X: { contract: 'INTERNAL', message: 'x' } });

  it('service-errors - the factory makes typed ContractErrors that lead with the service code', () => {
    const err = errors.create('DEMO_DOWN', undefined, new Error('ECONNREFUSED'));
    expect(err).toBeInstanceOf(ContractError);
    expect(err).toBeInstanceOf(ServiceError);
    expect(err).toMatchObject({ code: 'DEPENDENCY_DOWN', retryable: true, service: 'demo-service', serviceCode: 'DEMO_DOWN' });
    expect(err.message).toBe('DEMO_DOWN: store down');
    expect((err.cause as Error).message).toBe('ECONNREFUSED');
    expect(errors.create('DEMO_BAD', 'room is missing').message).toBe('DEMO_BAD: room is missing');
  });

  it("service-errors - the guard knows its own service's errors only", () => {
    expect(errors.is(errors.create('DEMO_BAD'))).toBe(true);
    expect(errors.is(other.create('OTHER_X'))).toBe(false);
    expect(errors.is(new ContractError('BAD_REQUEST'))).toBe(false);
    expect(errors.is(new Error('x'))).toBe(false);
  });
});
