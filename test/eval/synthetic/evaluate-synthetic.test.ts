import { describe, expect, it } from 'vitest';
import { DEFAULT_SYNTHETIC_CONFIG, anomalyStarts, runSyntheticEvaluation } from '../../../eval/synthetic/evaluate-synthetic';

describe('synthetic evaluation (reduced), inline defaults on 1-minute latency series', () => {
  // 150 no-change series and 40 sustained steps per size bucket (80 of ≥ 20 %), 4 days each: about 3 s.
  const report = runSyntheticEvaluation({ ...DEFAULT_SYNTHETIC_CONFIG, noChangeSeries: 150, stepSeriesPerBucket: 40, otherSeriesPerKind: 0 });

  it('detects ≥ 95 % of sustained shifts of 20 % or more, promptly', () => {
    expect(report.stepsAtLeast20.series).toBe(80);
    expect(report.stepsAtLeast20.rate).toBeGreaterThanOrEqual(0.95);
    expect(report.stepsAtLeast20.medianDelay).toBeLessThanOrEqual(5);
    // Larger shifts are found at least as often as smaller ones.
    const [small, medium, large] = report.steps.map((s) => s.rate);
    expect(large).toBeGreaterThanOrEqual(medium ?? 1);
    expect(medium).toBeGreaterThanOrEqual(small ?? 1);
  });

  it('raises an anomaly on ≤ 5 % of the series with no change', () => {
    expect(report.falsePositiveSeriesRate).toBeLessThanOrEqual(0.05);
  });

  it('keeps the cold start quiet: few no-change series alert before the daily profile is in use', () => {
    // With a 7-day level memory from the start, about 70 % did; the short cold-start memory brings it near 11 %.
    expect(report.burnInAlertSeriesRate).toBeLessThanOrEqual(0.2);
    expect(report.burnInAlertSeriesRateByDay).toHaveLength(3);
    expect(Math.max(...report.burnInAlertSeriesRateByDay)).toBeLessThanOrEqual(report.burnInAlertSeriesRate);
  });

  it('finds rising edges', () => {
    expect(anomalyStarts(Uint8Array.from([0, 1, 1, 0, 1, 0, 0, 1]))).toEqual([1, 4, 7]);
  });
});
