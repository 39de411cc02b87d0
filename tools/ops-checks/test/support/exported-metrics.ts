/**
 * The series names a service really exports, read from its /metrics text: every `# TYPE`
 * line counts, so a labelled counter nothing has incremented yet is still known.
 */

/** Series names Prometheus itself adds to every scrape. */
export const PROMETHEUS_SERIES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added'];

export function exportedSeriesNames(metricsText: string): Set<string> {
  const names = new Set<string>();
  for (const m of metricsText.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m;
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    else if (type === 'summary') for (const s of ['', '_sum', '_count']) names.add(name + s);
    else names.add(name);
  }
  return names;
}

/** The union over every /metrics URL; throws naming the URL that does not answer. */
export async function scrapeExportedNames(urls: string[]): Promise<Set<string>> {
  const all = new Set<string>(PROMETHEUS_SERIES);
  for (const url of urls) {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    for (const n of exportedSeriesNames(await res.text())) all.add(n);
  }
  return all;
}
