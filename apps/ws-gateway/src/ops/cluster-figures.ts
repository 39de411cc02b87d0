/**
 * The ops page's cluster-wide figures, read from Prometheus (which scrapes every gateway and
 * service): one gateway cannot see the others' connections or breakers, Prometheus can. Cached
 * for a second so any number of open ops pages cost Prometheus one round of queries a second.
 */

export type BreakerStateName = 'closed' | 'half-open' | 'open';

export interface ClusterFigures {
  ok: true;
  gateways: { instance: string; connections: number }[];
  sendsPerSec: number | null;
  storedPerSec: number | null;
  deliveriesPerSec: number | null;
  sendP50Ms: number | null;
  sendP99Ms: number | null;
  breakers: { service: string; instance: string; breaker: string; state: BreakerStateName }[];
  presence: { sessions: number | null; onlineUsers: number | null; gateways: number | null };
}

export type ClusterAnswer = ClusterFigures | { ok: false; error: string };

type Sample = { metric: Record<string, string>; value: number };

const QUERIES = {
  gateways: 'sum by (instance) (relay_gateway_connections)',
  sends: 'sum(rate(relay_gateway_frames_in_total{type="send"}[1m]))',
  stored: 'sum(rate(relay_chat_messages_stored_total[1m]))',
  deliveries: 'sum(rate(relay_gateway_deliveries_total[1m]))',
  p50: 'histogram_quantile(0.5, sum by (le) (rate(relay_gateway_send_seconds_bucket[1m])))',
  p99: 'histogram_quantile(0.99, sum by (le) (rate(relay_gateway_send_seconds_bucket[1m])))',
  breakers: 'max by (service, instance, breaker) (relay_breaker_state)',
  sessions: 'max(relay_presence_sessions)',
  onlineUsers: 'max(relay_presence_online_users)',
  presenceGateways: 'max(relay_presence_gateways)',
} as const;

const STATE_NAMES: Record<number, BreakerStateName> = { 0: 'closed', 1: 'half-open', 2: 'open' };

export class ClusterFiguresReader {
  private cached?: { at: number; answer: Promise<ClusterAnswer> };

  constructor(
    private readonly prometheusUrl: string,
    private readonly timeoutMs = 2000,
    private readonly cacheMs = 1000,
  ) {}

  read(): Promise<ClusterAnswer> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at >= this.cacheMs) this.cached = { at: now, answer: this.fetchAll() };
    return this.cached.answer;
  }

  private async fetchAll(): Promise<ClusterAnswer> {
    try {
      const entries = await Promise.all(Object.entries(QUERIES).map(async ([k, q]) => [k, await this.query(q)] as const));
      const r = Object.fromEntries(entries) as Record<keyof typeof QUERIES, Sample[]>;
      const scalar = (s: Sample[]) => (s.length === 1 && Number.isFinite(s[0].value) ? s[0].value : null);
      const ms = (s: Sample[]) => {
        const v = scalar(s);
        return v === null ? null : v * 1000;
      };
      return {
        ok: true,
        gateways: r.gateways.map((s) => ({ instance: s.metric.instance ?? '?', connections: s.value })).sort((a, b) => a.instance.localeCompare(b.instance)),
        sendsPerSec: scalar(r.sends),
        storedPerSec: scalar(r.stored),
        deliveriesPerSec: scalar(r.deliveries),
        sendP50Ms: ms(r.p50),
        sendP99Ms: ms(r.p99),
        breakers: r.breakers
          .map((s) => ({ service: s.metric.service ?? '?', instance: s.metric.instance ?? '?', breaker: s.metric.breaker ?? '?', state: STATE_NAMES[s.value] ?? 'open' }))
          .sort((a, b) => `${a.instance}/${a.breaker}`.localeCompare(`${b.instance}/${b.breaker}`)),
        presence: { sessions: scalar(r.sessions), onlineUsers: scalar(r.onlineUsers), gateways: scalar(r.presenceGateways) },
      };
    } catch (err) {
      return { ok: false, error: `Prometheus at ${this.prometheusUrl}: ${(err as Error).message}` };
    }
  }

  private async query(expr: string): Promise<Sample[]> {
    const res = await fetch(`${this.prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`, { signal: AbortSignal.timeout(this.timeoutMs) });
    const body = (await res.json()) as { status?: string; error?: string; data?: { result?: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== 'success') throw new Error(body.error ?? `HTTP ${res.status}`);
    return (body.data?.result ?? []).map((x) => ({ metric: x.metric, value: Number(x.value[1]) }));
  }
}
