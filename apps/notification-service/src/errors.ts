import { defineServiceErrors, type ServiceError } from '@relay/contracts';
import { SERVICE_NAME } from './config';

/**
 * Every error the notification-service raises, with a stable code. Each crosses NATS as a
 * ContractError of the listed contract code (which decides `retryable` and how a gateway maps
 * it). docs/notifications.md lists the same table (a test keeps them in step).
 */
const notifyErrors = defineServiceErrors(SERVICE_NAME, {
  /** `data` serialized to more than DATA_MAX_BYTES. */
  NOTIF_DATA_TOO_LARGE: { contract: 'BAD_REQUEST', message: 'data is too large' },
  /** `text` has nothing but white space. */
  NOTIF_TEXT_BLANK: { contract: 'BAD_REQUEST', message: 'text is blank' },
  /** Redis cannot be reached: nothing was stored; the caller may retry (with its idempotencyKey). */
  NOTIF_STORE_UNAVAILABLE: { contract: 'DEPENDENCY_DOWN', message: 'the notification store is unavailable' },
  /** Redis answered with an error of its own (a script failed): a defect, logged. */
  NOTIF_STORE_FAILED: { contract: 'INTERNAL', message: 'the notification store failed' },
});

export const NOTIFY_ERRORS = notifyErrors.table;
export type NotifyErrorCode = keyof typeof NOTIFY_ERRORS;
export type NotifyError = ServiceError<NotifyErrorCode>;
/** The one factory: `NOTIF_…: detail` as a ContractError raised by this service. */
export const notifyError = notifyErrors.create;
