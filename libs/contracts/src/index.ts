export { defineEvent, defineRequest } from './catalog-types';
export * from './catalog';
export * from './client-protocol';
export { Envelope, EnvelopeHeader, versionedType } from './envelope';
export { newId } from './ids';
export { CONTRACT_ERRORS, ContractError, isClientError, isContractError } from './errors';
export { defineServiceErrors, ServiceError } from './service-errors';
export { codePointLength, isSubjectToken, OpaqueId, RoomName, SUBJECT_TOKEN_PATTERN, UserId } from './names';
export * from './schemas/chat';
export * from './schemas/notification';
export * from './schemas/presence';
export { paramsFrom, subjectFor, wildcardFor } from './subjects';
export { checkerFor, validate } from './validate';

export type { EventData, EventDef, ReplyData, RequestData, RequestDef, SubjectParams } from './catalog-types';
export type { EnvelopeOf } from './envelope';
export type { ContractErrorCode, ContractErrorData } from './errors';
export type { ServiceErrorEntry, ServiceErrors } from './service-errors';
export type { ValidationResult } from './validate';
