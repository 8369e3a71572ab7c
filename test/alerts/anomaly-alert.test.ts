import { describe, expect, it } from 'vitest';
import { alertEventFromAnomaly } from '../../src/alerts/anomaly-alert';
import type { AnomalyEvent } from '../../src/engine/anomaly-event';

const start: AnomalyEvent = {
  edge: 'start',
  key: { service: 'checkout', operation: 'GET /cart', spanKind: 'server' },
  signal: 'latency_p99',
  unit: 'ms',
  atMs: 1_700_000_060_000,
  startedAtMs: 1_700_000_000_000,
  endedAtMs: undefined,
  observed: 412.4,
  expected: { center: 120, low: 90, high: 180 },
  score: 0.97,
  spanCount: 240,
  traceIds: ['a1', 'b2', 'c3', 'd4'],
  recent: [120, 130, 412.4],
};

describe('alertEventFromAnomaly', () => {
  it('fires on a start, with the key as labels and the evidence in the description', () => {
    const event = alertEventFromAnomaly(start);
    expect(event).toEqual({
      source: 'anomaly',
      state: 'firing',
      labels: { alertname: 'ServiceAnomaly', service: 'checkout', operation: 'GET /cart', span_kind: 'server', signal: 'latency_p99', severity: 'warning' },
      annotations: {
        summary: 'Anomaly in latency_p99 of checkout "GET /cart" (server)',
        description: 'latency_p99 observed 412 ms, expected 120 ms (band 90.0 ms to 180 ms); score 0.97 over 240 spans; example traces a1, b2, c3.',
      },
      atMs: 1_700_000_060_000,
    });
  });

  it('resolves on an end with the same labels, and says when there is no baseline or no value', () => {
    const end = alertEventFromAnomaly({ ...start, edge: 'end', endedAtMs: start.atMs, expected: undefined, observed: null, traceIds: [], signal: 'error_ratio', unit: 'ratio' });
    expect(end.state).toBe('resolved');
    expect(end.labels.signal).toBe('error_ratio');
    expect(end.annotations.summary).toBe('Anomaly in error_ratio of checkout "GET /cart" (server) ended');
    expect(end.annotations.description).toBe('error_ratio observed none, no baseline yet; score 0.97 over 240 spans.');
  });
});
