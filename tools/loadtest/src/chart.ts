/**
 * A self-contained SVG of a run's latency, written by hand (no dependency): end-to-end p50/p95/p99
 * per second over the run, and the latency by percentile (log scale towards the tail, as HDR
 * histogram plots do).
 */
import type { LoadtestReport } from './report';

const WIDTH = 900;
const PANEL_HEIGHT = 280;
const MARGIN = { left: 70, right: 30, top: 40, bottom: 45 };
const COLORS = { p50: '#2b8a3e', p95: '#e67700', p99: '#c92a2a', dist: '#1864ab', grid: '#dee2e6', text: '#212529' };
/** The percentile plot stops here: 1 / (1 - 99.99 %) = 10^4. */
const TAIL_DECADES = 4;

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A round axis maximum (1, 2 or 5 times a power of ten) at or above v. */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

interface Panel {
  top: number;
  title: string;
  xLabel: string;
  yMax: number;
  xTicks: Array<{ x: number; label: string }>;
  series: Array<{ name: string; color: string; points: Array<[number, number]> }>;
  xMax: number;
}

function renderPanel(p: Panel): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const x0 = MARGIN.left;
  const y0 = p.top + MARGIN.top;
  const sx = (x: number) => x0 + (p.xMax > 0 ? (x / p.xMax) * plotW : 0);
  const sy = (y: number) => y0 + plotH - (Math.min(y, p.yMax) / p.yMax) * plotH;
  const out: string[] = [];
  out.push(`<text x="${x0}" y="${p.top + 24}" font-size="15" font-weight="bold" fill="${COLORS.text}">${escapeXml(p.title)}</text>`);
  for (let i = 0; i <= 4; i++) {
    const v = (p.yMax * i) / 4;
    const y = sy(v).toFixed(1);
    out.push(`<line x1="${x0}" y1="${y}" x2="${x0 + plotW}" y2="${y}" stroke="${COLORS.grid}"/>`);
    out.push(`<text x="${x0 - 8}" y="${y}" font-size="11" text-anchor="end" dominant-baseline="middle" fill="${COLORS.text}">${fmt(v)} ms</text>`);
  }
  for (const t of p.xTicks) {
    const x = sx(t.x).toFixed(1);
    out.push(`<line x1="${x}" y1="${y0 + plotH}" x2="${x}" y2="${y0 + plotH + 5}" stroke="${COLORS.text}"/>`);
    out.push(`<text x="${x}" y="${y0 + plotH + 18}" font-size="11" text-anchor="middle" fill="${COLORS.text}">${escapeXml(t.label)}</text>`);
  }
  out.push(`<rect x="${x0}" y="${y0}" width="${plotW}" height="${plotH}" fill="none" stroke="${COLORS.text}"/>`);
  out.push(`<text x="${x0 + plotW / 2}" y="${y0 + plotH + 36}" font-size="12" text-anchor="middle" fill="${COLORS.text}">${escapeXml(p.xLabel)}</text>`);
  const hasData = p.series.some((s) => s.points.length > 0);
  if (!hasData) {
    out.push(`<text x="${x0 + plotW / 2}" y="${y0 + plotH / 2}" font-size="14" text-anchor="middle" fill="${COLORS.text}">no deliveries</text>`);
  }
  p.series.forEach((s, i) => {
    if (s.points.length === 0) return;
    const pts = s.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts}"><title>${escapeXml(s.name)}</title></polyline>`);
    const lx = x0 + plotW - 150 + i * 50;
    out.push(`<rect x="${lx}" y="${p.top + 14}" width="12" height="12" fill="${s.color}"/>`);
    out.push(`<text x="${lx + 16}" y="${p.top + 24}" font-size="11" fill="${COLORS.text}">${escapeXml(s.name)}</text>`);
  });
  return out.join('\n');
}

/** Position on the percentile axis: decades of 1 / (1 - p), so 90 % -> 1, 99 % -> 2, 99.9 % -> 3. */
export function percentileX(percentile: number): number {
  const rest = 1 - Math.min(percentile, 99.99) / 100;
  return Math.min(TAIL_DECADES, Math.log10(1 / rest));
}

export function renderChart(report: LoadtestReport): string {
  const tl = report.timeline;
  const lastSecond = tl.length ? tl[tl.length - 1].second + 1 : 1;
  const timeMax = Math.max(...tl.map((t) => t.p99), 0);
  const step = Math.max(1, Math.ceil(lastSecond / 10));
  const timeTicks: Array<{ x: number; label: string }> = [];
  for (let s = 0; s <= lastSecond; s += step) timeTicks.push({ x: s, label: `${s}s` });

  const dist = report.distribution.filter((d) => d.percentile <= 99.99);
  const distMax = Math.max(...dist.map((d) => d.ms), 0);
  const distTicks = ['0%', '90%', '99%', '99.9%', '99.99%'].map((label, i) => ({ x: i, label }));

  const o = report.options;
  const e = report.latency.e2eMs;
  const subtitle = `${o.users} users, ${o.rooms} rooms, ${o.rate} msg/s each, ${o.gateways.length} gateway(s); ${report.throughput.deliveriesPerS} deliveries/s; e2e p50 ${fmt(e.p50)} p99 ${fmt(e.p99)} max ${fmt(e.max)} ms; lost ${report.messages.lost}`;

  const panels = [
    renderPanel({
      top: 20,
      title: 'End-to-end latency per second (send time in the text to delivery)',
      xLabel: 'seconds since sending started',
      yMax: niceMax(timeMax),
      xMax: lastSecond,
      xTicks: timeTicks,
      series: [
        { name: 'p50', color: COLORS.p50, points: tl.map((t) => [t.second + 0.5, t.p50] as [number, number]) },
        { name: 'p95', color: COLORS.p95, points: tl.map((t) => [t.second + 0.5, t.p95] as [number, number]) },
        { name: 'p99', color: COLORS.p99, points: tl.map((t) => [t.second + 0.5, t.p99] as [number, number]) },
      ],
    }),
    renderPanel({
      top: 20 + PANEL_HEIGHT,
      title: 'End-to-end latency by percentile (whole run)',
      xLabel: 'percentile',
      yMax: niceMax(distMax),
      xMax: TAIL_DECADES,
      xTicks: distTicks,
      series: [{ name: 'e2e', color: COLORS.dist, points: dist.map((d) => [percentileX(d.percentile), d.ms] as [number, number]) }],
    }),
  ];
  const height = 20 + 2 * PANEL_HEIGHT + 30;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="16" font-size="12" fill="${COLORS.text}">${escapeXml(`relay loadtest ${report.startedAt}: ${subtitle}`)}</text>`,
    ...panels,
    `</svg>`,
    '',
  ].join('\n');
}
