import type { SubjectParams } from './catalog-types';
import { ContractError } from './errors';
import { decodeSubjectToken, encodeSubjectToken, isSubjectToken, isUserId } from './names';

/**
 * Parameters that hold user ids: ids from identity providers may contain `.`, `|`, `@`, so
 * they enter a subject only encoded (encodeSubjectToken) and are decoded when read back.
 * Every other parameter (rooms, opaque ids) must already be a safe token.
 */
const USER_PARAMS: ReadonlySet<string> = new Set(['user']);

const PARAM = /\{([A-Za-z]+)\}/g;

/** Fills a subject template. Every parameter must be a safe token, so no input can widen a subject. */
export function subjectFor<T extends string>(template: T, params: SubjectParams<T>): string {
  return template.replace(PARAM, (_match, name: string) => {
    const value = (params as Record<string, unknown>)[name];
    if (USER_PARAMS.has(name)) {
      if (!isUserId(value)) throw new ContractError('BAD_SUBJECT', `subject parameter "${name}" is not a valid user id`, 'contracts');
      return encodeSubjectToken(value);
    }
    if (!isSubjectToken(value)) {
      throw new ContractError('BAD_SUBJECT', `subject parameter "${name}" is not a valid token`, 'contracts');
    }
    return value;
  });
}

/** The template with every parameter replaced by `*`: all rooms, all users. */
export function wildcardFor(template: string): string {
  return template.replace(PARAM, '*');
}

interface CompiledTemplate {
  pattern: RegExp;
  names: string[];
}

/** Templates are few and fixed (the catalog's): each is compiled once. */
const compiled = new Map<string, CompiledTemplate>();

function compile(template: string): CompiledTemplate {
  const names: string[] = [];
  const source = template
    .split('.')
    .map((part) => {
      const m = /^\{([A-Za-z]+)\}$/.exec(part);
      if (m) {
        names.push(m[1]);
        // An encoded user id is at most 3 characters per byte of a 128-character id.
        return USER_PARAMS.has(m[1]) ? '([A-Za-z0-9_-]{1,384})' : '([A-Za-z0-9_-]{1,64})';
      }
      return part.replace(/[-]/g, '\\-');
    })
    .join('\\.');
  return { pattern: new RegExp(`^${source}$`), names };
}

/** Reads parameter values back from a concrete subject; undefined when it does not match. */
export function paramsFrom<T extends string>(template: T, subject: string): SubjectParams<T> | undefined {
  let entry = compiled.get(template);
  if (!entry) {
    entry = compile(template);
    compiled.set(template, entry);
  }
  const { pattern, names } = entry;
  const match = pattern.exec(subject);
  if (!match) return undefined;
  const out: Record<string, string> = {};
  for (const [i, n] of names.entries()) {
    const raw = match[i + 1];
    if (!USER_PARAMS.has(n)) {
      out[n] = raw;
      continue;
    }
    const user = decodeSubjectToken(raw);
    if (user === undefined || !isUserId(user)) return undefined;
    out[n] = user;
  }
  return out as SubjectParams<T>;
}
