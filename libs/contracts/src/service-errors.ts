import { ContractError, type ContractErrorCode } from './errors';

/** One row of a service's error table: the contract code that crosses NATS, and a default message. */
export interface ServiceErrorEntry {
  contract: ContractErrorCode;
  message: string;
}

/**
 * A ContractError that also carries the raising service's own stable code (CHAT_…, PRESENCE_…),
 * which leads the message so logs and callers can tell failures apart.
 */
export class ServiceError<C extends string = string> extends ContractError {
  readonly serviceCode: C;

  constructor(serviceCode: C, entry: ServiceErrorEntry, service: string, detail?: string, options?: { cause?: unknown }) {
    super(entry.contract, `${serviceCode}: ${detail ?? entry.message}`, service, options);
    this.serviceCode = serviceCode;
  }
}

export interface ServiceErrors<C extends string> {
  readonly service: string;
  readonly table: Readonly<Record<C, ServiceErrorEntry>>;
  /** The one factory for the service's errors. */
  create(code: C, detail?: string, cause?: unknown): ServiceError<C>;
  is(err: unknown): err is ServiceError<C>;
}

/** Declares a service's error table once; the factory and the type guard come from it. */
export function defineServiceErrors<const T extends Record<string, ServiceErrorEntry>>(
  service: string,
  table: T,
): ServiceErrors<keyof T & string> {
  type Code = keyof T & string;
  return {
    service,
    table,
    create: (code: Code, detail?: string, cause?: unknown) =>
      new ServiceError<Code>(code, table[code], service, detail, cause === undefined ? undefined : { cause }),
    is: (err: unknown): err is ServiceError<Code> => err instanceof ServiceError && err.service === service,
  };
}
