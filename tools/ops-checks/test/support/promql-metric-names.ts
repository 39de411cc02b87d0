/**
 * The metric names a PromQL expression reads, so a check can compare what dashboards and rules
 * query with what the services export. PromQL has no metric-name keyword: a name is any bare
 * identifier that is not a function call, a keyword, a label or part of a number or duration.
 */

/** Keywords and literals that look like identifiers. */
const NOT_NAMES = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan', 'atan2']);
/** Grouping and matching modifiers: their parentheses hold label names, not metrics. */
const LABEL_LISTS = /\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g;
const IDENTIFIER = /(?<![\w:.$])[A-Za-z_:][\w:]*/g;

export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/#[^\n]*/g, ' ') // comments
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ') // strings (label values, regexes)
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // ranges and subqueries, Grafana's $__rate_interval inside
    .replace(LABEL_LISTS, ' ');
  const names = new Set<string>();
  for (const m of bare.matchAll(IDENTIFIER)) {
    const after = bare.slice((m.index ?? 0) + m[0].length).trimStart();
    if (after.startsWith('(') || NOT_NAMES.has(m[0].toLowerCase())) continue;
    names.add(m[0]);
  }
  return [...names].sort();
}
