import { startPrometheus, stackTargets, TestStack, waitFor, type TestPrometheus } from '@relay/testing';
import { forPrometheus, loadDashboard, panelQueries } from './support/dashboard';
import { scrapeExportedNames } from './support/exported-metrics';
import { metricNames } from './support/promql-metric-names';
import { ALERT_RULES, DASHBOARD, RECORDING_RULES } from './support/repo-paths';
import { alertRules, recordedNames } from './support/rule-files';

/**
 * The dashboard and the rules against what a running stack really exports: a panel or rule that
 * queries a metric no service exports (a typo, a renamed metric) fails here, and so does a query
 * Prometheus cannot parse.
 */
describe('exported metrics', () => {
  let stack: TestStack;
  let prometheus: TestPrometheus;
  let exported: Set<string>;

  beforeAll(async () => {
    stack = await TestStack.start();
    prometheus = await startPrometheus({ targets: stackTargets(stack) });
    const apps = [...stack.gateways, ...stack.chat, ...stack.presence, ...stack.notification];
    exported = await scrapeExportedNames(apps.map((a) => `http://127.0.0.1:${a.port}/metrics`));
    for (const name of recordedNames(RECORDING_RULES)) exported.add(name);
  }, 120000);

  afterAll(async () => {
    await prometheus?.close();
    await stack?.close();
  });

  const unknownNames = (exprs: { where: string; expr: string }[]) =>
    exprs.flatMap(({ where, expr }) => metricNames(expr).filter((n) => !exported.has(n)).map((n) => `${where}: ${n}`));

  it('exported metrics - the stack exports what the service code declares (sanity of the exported set)', () => {
    for (const n of ['relay_gateway_connections', 'relay_chat_messages_stored_total', 'relay_presence_sessions', 'relay_notifications_created_total', 'relay_ready', 'up']) {
      expect({ n, exported: exported.has(n) }).toEqual({ n, exported: true });
    }
  });

  it('exported metrics - every dashboard panel queries only metrics the services export', () => {
    const queries = panelQueries(loadDashboard(DASHBOARD)).map((q) => ({ where: q.panel, expr: q.expr }));
    expect(queries.length).toBeGreaterThan(10);
    expect(unknownNames(queries)).toEqual([]);
  });

  it('exported metrics - every alert and recording rule reads only metrics the services export', async () => {
    const rules = await waitFor(
      async () => {
        const loaded = await prometheus.rules();
        return loaded.length > 0 && loaded;
      },
      { what: 'prometheus rules loaded', timeoutMs: 20000 },
    );
    const inFiles = [...alertRules(ALERT_RULES).map((a) => a.name), ...recordedNames(RECORDING_RULES)].sort();
    expect(rules.map((r) => r.name).sort()).toEqual(inFiles);
    expect(unknownNames(rules.map((r) => ({ where: r.name, expr: r.query })))).toEqual([]);
    // Evaluated against the real series without an error (e.g. many-to-many matching).
    const evaluated = await waitFor(
      async () => {
        const now = await prometheus.rules();
        return now.every((r) => r.health !== 'unknown') && now;
      },
      { what: 'every rule evaluated once', timeoutMs: 20000 },
    );
    expect(evaluated.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError}`)).toEqual([]);
  });

  it('exported metrics - every dashboard query is valid PromQL that Prometheus evaluates', async () => {
    const failures: string[] = [];
    for (const q of panelQueries(loadDashboard(DASHBOARD))) {
      await prometheus.query(forPrometheus(q.expr)).catch((err: Error) => failures.push(`${q.panel}: ${err.message}`));
    }
    expect(failures).toEqual([]);
  });
});
