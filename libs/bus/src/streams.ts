/**
 * JetStream streams as the contracts declare them (libs/contracts/src/streams.ts): the owner makes
 * sure its stream exists with the configured limits, idempotently, at start-up.
 */
import { DiscardPolicy, nanos, RetentionPolicy, StorageType, type NatsConnection, type StreamConfig } from 'nats';
import { wildcardFor, type StreamDef, type StreamLimits } from '@relay/contracts';

/** JetStream's "stream not found" error code. */
export const STREAM_NOT_FOUND = 10059;
/** JetStream's "consumer not found" error code. */
export const CONSUMER_NOT_FOUND = 10014;

/** The JetStream API error code of a failed call, if it was one. */
export function jetStreamErrorCode(err: unknown): number | undefined {
  const apiError = (err as { api_error?: { err_code?: number } } | undefined)?.api_error;
  return apiError?.err_code;
}

/** How a stream is kept where it runs: its limits and how many servers hold a copy. */
export interface StreamSettings extends StreamLimits {
  /** 1 on a single server; 3 on the three-node cluster (deploy/nats-cluster, k8s). */
  replicas: number;
}

/** The stream configuration the owner asks for. */
export function streamConfig(def: StreamDef, settings: StreamSettings): Partial<StreamConfig> & { name: string } {
  return {
    name: def.name,
    subjects: def.events.map((e) => wildcardFor(e.subject)),
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    // Past a limit the oldest messages go; a publish is never refused for space.
    discard: DiscardPolicy.Old,
    max_age: nanos(settings.maxAgeSec * 1000),
    max_bytes: settings.maxBytes,
    duplicate_window: nanos(def.duplicateWindowMs),
    num_replicas: settings.replicas,
  };
}

export type EnsureOutcome = 'created' | 'updated' | 'unchanged';

/**
 * Creates the stream, or updates it when its subjects or limits differ from what is configured.
 * Safe to run from every instance at every start: an unchanged stream is left alone.
 */
export async function ensureStream(nc: NatsConnection, def: StreamDef, settings: StreamSettings): Promise<EnsureOutcome> {
  // checkAPI off: the account-info call it makes needs a permission no service has.
  const jsm = await nc.jetstreamManager({ checkAPI: false });
  const wanted = streamConfig(def, settings);
  let current: StreamConfig;
  try {
    current = (await jsm.streams.info(def.name)).config;
  } catch (err) {
    if (jetStreamErrorCode(err) !== STREAM_NOT_FOUND) throw err;
    await jsm.streams.add(wanted);
    return 'created';
  }
  const same =
    JSON.stringify([...current.subjects].sort()) === JSON.stringify([...(wanted.subjects ?? [])].sort()) &&
    current.max_age === wanted.max_age &&
    current.max_bytes === wanted.max_bytes &&
    current.duplicate_window === wanted.duplicate_window &&
    current.num_replicas === wanted.num_replicas;
  if (same) return 'unchanged';
  await jsm.streams.update(def.name, { ...current, ...wanted });
  return 'updated';
}
