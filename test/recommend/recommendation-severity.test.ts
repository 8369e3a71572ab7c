import { describe, expect, it } from 'vitest';
import type { RecommendationImpact } from '../../src/recommend/recommendation';
import { severityOf } from '../../src/recommend/recommendation-severity';

const HOUR_MS = 3_600_000;

const impact = (over: Partial<RecommendationImpact> = {}): RecommendationImpact => ({ perRequestMs: 10, latencyShare: 0, affectedShare: 0.5, ...over });

describe('severityOf: trace findings', () => {
  it.each([
    [0, 'low'],
    [0.1999, 'low'],
    [0.2, 'medium'],
    [0.4999, 'medium'],
    [0.5, 'high'],
    [1, 'high'],
  ] as const)('latency share %f without an SLO is %s', (latencyShare, expected) => {
    expect(severityOf('n_plus_one_db', impact({ latencyShare }), {})).toBe(expected);
  });

  it.each([
    [0.2499, 'low'],
    [0.25, 'high'],
    [0.9999, 'high'],
    [1, 'critical'],
    [7.5, 'critical'],
  ] as const)('error budget share %f comes first: %s', (errorBudgetShare, expected) => {
    // latencyShare 0 on its own would be low.
    expect(severityOf('sequential_calls', impact({ errorBudgetShare, slo: 'latency' }), {})).toBe(expected);
  });

  it('a small budget share falls back to the latency share', () => {
    expect(severityOf('n_plus_one_http', impact({ errorBudgetShare: 0.1, latencyShare: 0.6 }), {})).toBe('high');
    expect(severityOf('n_plus_one_http', impact({ errorBudgetShare: 0.1, latencyShare: 0.3 }), {})).toBe('medium');
  });
});

describe('severityOf: runtime findings are judged on their own figures, not the impact', () => {
  const loud = impact({ errorBudgetShare: 5, latencyShare: 1 });

  it.each([
    [99, 'medium'],
    [249.9, 'medium'],
    [250, 'high'],
    [999, 'high'],
    [1000, 'critical'],
  ] as const)('event loop p99 %f ms is %s', (p99, expected) => {
    expect(severityOf('event_loop_blocking', impact(), { medianP99DelayMs: p99 })).toBe(expected);
  });

  it('ignores the impact for runtime types', () => {
    expect(severityOf('event_loop_blocking', loud, { medianP99DelayMs: 120 })).toBe('medium');
    expect(severityOf('gc_pressure', loud, { gcTimeShare: 0.12 })).toBe('medium');
    expect(severityOf('memory_leak_suspected', loud, {})).toBe('medium');
  });

  it.each([
    [0.11, 'medium'],
    [0.2499, 'medium'],
    [0.25, 'high'],
    [0.9, 'high'],
  ] as const)('gc time share %f is %s', (gcTimeShare, expected) => {
    expect(severityOf('gc_pressure', impact(), { gcTimeShare })).toBe(expected);
  });

  it.each([
    [0, 'critical'],
    [6 * HOUR_MS, 'critical'],
    [6 * HOUR_MS + 1, 'high'],
    [24 * HOUR_MS, 'high'],
    [24 * HOUR_MS + 1, 'medium'],
  ] as const)('heap reaching its limit in %d ms is %s', (projectedMsToLimit, expected) => {
    expect(severityOf('memory_leak_suspected', impact(), { projectedMsToLimit })).toBe(expected);
  });

  it('a leak without a known heap limit, or a figure of the wrong type, is medium', () => {
    expect(severityOf('memory_leak_suspected', impact(), { projectedMsToLimit: 'soon' })).toBe('medium');
    expect(severityOf('event_loop_blocking', impact(), { medianP99DelayMs: '2000' })).toBe('medium');
  });
});
