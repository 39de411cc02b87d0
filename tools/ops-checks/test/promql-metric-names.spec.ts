import { metricNames } from './support/promql-metric-names';

describe('promql-metric-names', () => {
  it('promql-metric-names - finds names inside functions, aggregations and binary operators', () => {
    expect(metricNames('sum by (le) (rate(relay_gateway_send_seconds_bucket[$__rate_interval]))')).toEqual(['relay_gateway_send_seconds_bucket']);
    expect(
      metricNames(`sum(rate(relay_gateway_send_failures_total{code=~"SERVICE_UNAVAILABLE|INTERNAL"}[5m]))
        / sum(rate(relay_gateway_frames_in_total{type="send"}[5m]))`),
    ).toEqual(['relay_gateway_frames_in_total', 'relay_gateway_send_failures_total']);
  });

  it('promql-metric-names - keeps recording rule names with colons and bare selectors', () => {
    expect(metricNames('relay:gateway_send_seconds:p99_5m > 0.1')).toEqual(['relay:gateway_send_seconds:p99_5m']);
    expect(metricNames('up{job="ws-gateway"} == 0')).toEqual(['up']);
  });

  it('promql-metric-names - ignores labels, keywords, numbers, durations and string arguments', () => {
    expect(
      metricNames(
        'max by (instance, breaker) (max_over_time(relay_breaker_state[1m] offset 5m)) == bool 2e3 or on (instance) vector(0) and label_replace(up, "dst", "$1", "src", "(.*)")',
      ),
    ).toEqual(['relay_breaker_state', 'up']);
    expect(metricNames('sum without (le) (x_total) unless ignoring (code) group_left (foo) y_total')).toEqual(['x_total', 'y_total']);
  });

  it('promql-metric-names - finds a misspelt metric (what the dashboard check relies on)', () => {
    expect(metricNames('sum(rate(relay_gateway_delivries_total[1m]))')).toEqual(['relay_gateway_delivries_total']);
  });
});
