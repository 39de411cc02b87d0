/**
 * What actually travels on NATS, as schemas: every event and request payload inside the
 * envelope the bus wraps it in (with its versioned type fixed), and replies inside the bus's
 * `{ok, data}` / `{ok:false, error}` wrapper.
 */
import { CONTRACT_ERRORS, Envelope, versionedType } from '@relay/contracts';
import { Type, type TSchema } from '@sinclair/typebox';

export function enveloped(data: TSchema, type: string, version: number): TSchema {
  const env = Envelope(data);
  return { ...env, properties: { ...env.properties, type: Type.Literal(versionedType(type, version)) } };
}

const ContractErrorData = Type.Object({
  code: Type.Union(Object.keys(CONTRACT_ERRORS).map((c) => Type.Literal(c))),
  message: Type.String(),
  retryable: Type.Boolean(),
  service: Type.String(),
});

export function replyWrapper(data: TSchema): TSchema {
  return Type.Union([Type.Object({ ok: Type.Literal(true), data }), Type.Object({ ok: Type.Literal(false), error: ContractErrorData })]);
}

/** A schema as plain JSON Schema: TypeBox's symbol-keyed metadata dropped, an id and title added. */
export function toJsonSchema(schema: TSchema, id: string, title: string, description?: string): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
  return { $schema: 'http://json-schema.org/draft-07/schema#', $id: id, title, ...(description ? { description } : {}), ...plain };
}
