import { fixtureOptions, fixtureOutcome } from '../test/fixtures';
import { escapeXml, niceMax, percentileX, renderChart } from './chart';
import { buildReport } from './report';

describe('chart', () => {
  it('chart - renders a standalone SVG with p50/p95/p99 over time and the percentile curve', () => {
    const svg = renderChart(buildReport(fixtureOptions(), fixtureOutcome()));
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(4);
    for (const name of ['p50', 'p95', 'p99', 'e2e']) expect(svg).toContain(`<title>${name}</title>`);
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
    // Every polyline point lies inside the 900-wide drawing.
    for (const m of svg.matchAll(/points="([^"]+)"/g)) {
      for (const pt of m[1].split(' ')) {
        const [x, y] = pt.split(',').map(Number);
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(900);
        expect(y).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('chart - a run without deliveries still renders, saying so, with no NaN', () => {
    const report = buildReport(fixtureOptions(['--rate', '0']), { ...fixtureOutcome(), results: [] });
    const svg = renderChart(report);
    expect(svg).toContain('no deliveries');
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(svg).not.toContain('<polyline');
  });

  it('chart - helpers: XML escaping, round axis maxima, percentile decades', () => {
    expect(escapeXml('<a & "b">')).toBe('&lt;a &amp; &quot;b&quot;&gt;');
    expect([niceMax(0), niceMax(0.7), niceMax(3), niceMax(12), niceMax(100), niceMax(101)]).toEqual([1, 1, 5, 20, 100, 200]);
    expect(percentileX(0)).toBe(0);
    expect(percentileX(90)).toBeCloseTo(1);
    expect(percentileX(99)).toBeCloseTo(2);
    expect(percentileX(100)).toBeCloseTo(4);
  });
});
