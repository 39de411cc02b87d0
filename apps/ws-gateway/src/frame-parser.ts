import { checkerFor, ClientFrames, validate, type ClientFrame, type ClientFrameType } from '@relay/contracts';
import { gatewayError, type GatewayError } from './errors';

export type ParseResult = { ok: true; frame: ClientFrame } | { ok: false; error: GatewayError; ref?: string };

const FRAME_TYPES = new Set(Object.keys(ClientFrames));
// Compile every frame schema once at start-up: validation runs for every inbound frame.
for (const schema of Object.values(ClientFrames)) checkerFor(schema);

/** The `ref` to echo in an error, if the frame has a usable one. */
export function refOf(value: unknown): string | undefined {
  const ref = (value as { ref?: unknown } | null)?.ref;
  return typeof ref === 'string' && ref.length <= 64 ? ref : undefined;
}

/** Parses one text frame: JSON, then the schema picked by `type`, then validation. */
export function parseFrame(text: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: gatewayError('GW_NOT_JSON', undefined, err) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: gatewayError('GW_NOT_OBJECT') };
  }
  const ref = refOf(value);
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !FRAME_TYPES.has(type)) {
    return { ok: false, error: gatewayError('GW_UNKNOWN_TYPE', `unknown frame type ${JSON.stringify(type ?? null).slice(0, 40)}`), ref };
  }
  const checked = validate(ClientFrames[type as ClientFrameType], value);
  if (!checked.ok) return { ok: false, error: gatewayError('GW_INVALID_FRAME', `${type}: ${checked.error}`), ref };
  return { ok: true, frame: checked.value as ClientFrame };
}
