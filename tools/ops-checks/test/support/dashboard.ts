/**
 * Reads the Grafana dashboard JSON and lists every query of every panel (rows included), with
 * Grafana's own variables replaced so Prometheus can evaluate the expression as is.
 */
import { readFileSync } from 'node:fs';

export interface DashboardTarget {
  refId?: string;
  expr?: string;
  legendFormat?: string;
  datasource?: { type?: string; uid?: string };
}

export interface DashboardPanel {
  id?: number;
  type?: string;
  title?: string;
  gridPos?: { h: number; w: number; x: number; y: number };
  datasource?: { type?: string; uid?: string };
  targets?: DashboardTarget[];
  panels?: DashboardPanel[];
}

export interface Dashboard {
  uid?: string;
  title?: string;
  panels?: DashboardPanel[];
}

export interface PanelQuery {
  panel: string;
  expr: string;
}

export function loadDashboard(file: string): Dashboard {
  return JSON.parse(readFileSync(file, 'utf8')) as Dashboard;
}

/** Every panel, rows' nested panels included. */
export function allPanels(d: Dashboard): DashboardPanel[] {
  return (d.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
}

export function panelQueries(d: Dashboard): PanelQuery[] {
  return allPanels(d).flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title ?? `#${p.id}`, expr: t.expr ?? '' })));
}

/** Grafana's interval variables, as Prometheus would see them on a typical 1-hour view. */
const GRAFANA_VARIABLES: Record<string, string> = { $__rate_interval: '1m', $__interval: '15s', $__range: '1h' };

export function forPrometheus(expr: string): string {
  return expr.replace(/\$__\w+/g, (v) => GRAFANA_VARIABLES[v] ?? v);
}
