export { Bus, CORRELATION_HEADER } from './bus';
export { defineEvent, defineRequest } from './catalog-types';
export * from './catalog';
export * from './client-protocol';
export { Envelope, EnvelopeHeader, makeEnvelope, newId, versionedType } from './envelope';
export { CONTRACT_ERRORS, ContractError, isClientError, isContractError } from './errors';
export { codePointLength, isSubjectToken, OpaqueId, RoomName, SUBJECT_TOKEN_PATTERN, UserId } from './names';
export * from './schemas/chat';
export * from './schemas/notification';
export * from './schemas/presence';
export { paramsFrom, subjectFor, wildcardFor } from './subjects';
export { checkerFor, validate } from './validate';

export type { BusLogger, BusOptions, EventParams, InvalidMessage, MessageMeta, PublishOptions, RequestOptions, SubscribeOptions } from './bus';
export type { EventData, EventDef, ReplyData, RequestData, RequestDef, SubjectParams } from './catalog-types';
export type { EnvelopeOf } from './envelope';
export type { ContractErrorCode, ContractErrorData } from './errors';
export type { ValidationResult } from './validate';
