import { existsSync, readFileSync } from 'node:fs';
import { promtool } from './support/promtool';
import { ALERT_RULES, ALERT_TESTS, OPERATIONS_DOC, PROMETHEUS_CONFIG, PROMETHEUS_DIR, RECORDING_RULES } from './support/repo-paths';
import { alertRules, alertTestCoverage, recordedNames } from './support/rule-files';

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const anchors = (markdown: string) =>
  new Set(
    [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
      m[1]
        .trim()
        .toLowerCase()
        .replace(/[^a-z0-9 _-]/g, '')
        .replace(/ /g, '-'),
    ),
  );

describe('prometheus rules', () => {
  it('prometheus rules - promtool accepts the configuration and both rule files', () => {
    const config = promtool(['check', 'config', PROMETHEUS_CONFIG], PROMETHEUS_DIR);
    expect({ status: config.status, output: config.output }).toMatchObject({ status: 0 });
    expect(config.output).toContain('2 rule files found');
    const rules = promtool(['check', 'rules', RECORDING_RULES, ALERT_RULES], PROMETHEUS_DIR);
    expect({ status: rules.status, output: rules.output }).toMatchObject({ status: 0 });
  });

  it('prometheus rules - every alert passes its promtool unit tests', () => {
    const r = promtool(['test', 'rules', ALERT_TESTS], PROMETHEUS_DIR);
    expect({ status: r.status, output: r.output }).toMatchObject({ status: 0 });
    expect(r.output).toContain('SUCCESS');
  });

  it('prometheus rules - every alert has a test that fires it and one that keeps it quiet', () => {
    const alerts = alertRules(ALERT_RULES).map((a) => a.name);
    expect(alerts.length).toBeGreaterThanOrEqual(10);
    const { fires, quiet } = alertTestCoverage(ALERT_TESTS);
    expect(alerts.filter((a) => !fires.has(a))).toEqual([]);
    expect(alerts.filter((a) => !quiet.has(a))).toEqual([]);
    // A test of an alert that no longer exists is a test of nothing.
    expect([...fires, ...quiet].filter((a) => !alerts.includes(a))).toEqual([]);
  });

  it('prometheus rules - every alert links a runbook entry that exists in docs/operations.md', () => {
    expect(existsSync(OPERATIONS_DOC)).toBe(true);
    const headings = anchors(readFileSync(OPERATIONS_DOC, 'utf8'));
    for (const alert of alertRules(ALERT_RULES)) {
      expect({ alert: alert.name, runbook: alert.runbook }).toEqual({ alert: alert.name, runbook: `docs/operations.md#${alert.name.toLowerCase()}` });
      expect({ alert: alert.name, headingFound: headings.has(alert.name.toLowerCase()) }).toEqual({ alert: alert.name, headingFound: true });
    }
  });

  it('prometheus rules - recording rules follow level:metric:operations and are unique', () => {
    const names = recordedNames(RECORDING_RULES);
    expect(names.length).toBeGreaterThan(0);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^relay:[a-z0-9_]+:[a-z0-9_]+$/);
  });
});
