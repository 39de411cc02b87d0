import { allPanels, loadDashboard, panelQueries } from './support/dashboard';
import { DASHBOARD } from './support/repo-paths';
import { metricNames } from './support/promql-metric-names';

describe('grafana dashboard', () => {
  const dashboard = loadDashboard(DASHBOARD);

  it('grafana dashboard - importable: uid, title, unique panel ids, every panel placed and bound to the Prometheus input', () => {
    expect(dashboard.uid).toBe('relay-overview');
    expect(dashboard.title).toBeTruthy();
    const panels = allPanels(dashboard);
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) {
      expect({ title: p.title, placed: p.gridPos !== undefined && p.gridPos.w > 0 && p.gridPos.x + p.gridPos.w <= 24 }).toEqual({ title: p.title, placed: true });
      if (p.type === 'row') continue;
      expect({ title: p.title, datasource: p.datasource?.uid }).toEqual({ title: p.title, datasource: '${DS_PROMETHEUS}' });
      expect({ title: p.title, targets: (p.targets ?? []).length > 0 }).toEqual({ title: p.title, targets: true });
      const refIds = (p.targets ?? []).map((t) => t.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
    }
  });

  it('grafana dashboard - covers connections, rooms, deliveries, latencies, errors, breakers, presence and notifications', () => {
    const queried = new Set(panelQueries(dashboard).flatMap((q) => metricNames(q.expr)));
    for (const m of [
      'relay_gateway_connections',
      'relay_gateway_room_subscriptions',
      'relay_gateway_deliveries_total',
      'relay_gateway_send_seconds_bucket',
      'relay_gateway_fanout_seconds_bucket',
      'relay_gateway_errors_total',
      'relay_breaker_state',
      'relay_presence_sessions',
      'relay_notifications_created_total',
    ]) {
      expect({ metric: m, queried: queried.has(m) }).toEqual({ metric: m, queried: true });
    }
  });

  it('grafana dashboard - every query reads at least one metric', () => {
    for (const q of panelQueries(dashboard)) expect({ ...q, names: metricNames(q.expr).length > 0 }).toEqual({ ...q, names: true });
  });
});
