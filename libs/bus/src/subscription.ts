/**
 * What a caller of the Bus holds after subscribing or serving: enough to stop it. Apps use this
 * type instead of nats.js's, so no app module needs to import `nats`.
 */
export interface Subscription {
  /** Stops at once; messages already received but not handled are dropped. */
  unsubscribe(): void;
  /** Stops taking messages and resolves when those already received are handled. */
  drain(): Promise<void>;
}
