import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

/** Compiles a schema once and reuses the checker: validation sits on every hot path. */
export function checkerFor<S extends TSchema>(schema: S): TypeCheck<S> {
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  return check as TypeCheck<S>;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** A short, human-readable reason: the first failing path and what was expected there. */
export function validate<S extends TSchema>(schema: S, value: unknown): ValidationResult<Static<S>> {
  const check = checkerFor(schema);
  if (check.Check(value)) return { ok: true, value };
  const first = check.Errors(value).First();
  const where = first?.path ? first.path : '(root)';
  return { ok: false, error: first ? `${where}: ${first.message}` : 'invalid value' };
}
