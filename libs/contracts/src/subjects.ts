import type { SubjectParams } from './catalog-types';
import { ContractError } from './errors';
import { isSubjectToken } from './names';

const PARAM = /\{([A-Za-z]+)\}/g;

/** Fills a subject template. Every parameter must be a safe token, so no input can widen a subject. */
export function subjectFor<T extends string>(template: T, params: SubjectParams<T>): string {
  return template.replace(PARAM, (_match, name: string) => {
    const value = (params as Record<string, unknown>)[name];
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

/** Reads parameter values back from a concrete subject; undefined when it does not match. */
export function paramsFrom<T extends string>(template: T, subject: string): SubjectParams<T> | undefined {
  const names: string[] = [];
  const pattern = template
    .split('.')
    .map((part) => {
      const m = /^\{([A-Za-z]+)\}$/.exec(part);
      if (m) {
        names.push(m[1]);
        return '([A-Za-z0-9_-]{1,64})';
      }
      return part.replace(/[-]/g, '\\-');
    })
    .join('\\.');
  const match = new RegExp(`^${pattern}$`).exec(subject);
  if (!match) return undefined;
  const out: Record<string, string> = {};
  names.forEach((n, i) => (out[n] = match[i + 1]));
  return out as SubjectParams<T>;
}
