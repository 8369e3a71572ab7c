import { describe, expect, it } from 'vitest';
import { BaselineModel } from '../../src/baseline/baseline-model';
import { BaselineSeries } from '../../src/baseline/baseline-series';
import { BASELINE_SIGNALS, SignalIndex } from '../../src/baseline/baseline-signal';
import type { AnomalyDetector } from '../../src/anomaly/anomaly-detector';
import { doubleDetectors } from './detector-double';
import type { RecordedUpdate } from './detector-double';

const MINUTE = 60_000;
const LABELS = { service: 'shop', operation: 'GET /cart', spanKind: 'server' };
const trace = (n: number): string => n.toString(16).padStart(32, '0');

function series(updates: RecordedUpdate[], signals = [...BASELINE_SIGNALS], exemplars = 3): BaselineSeries {
  return new BaselineSeries(LABELS, false, new BaselineModel({ modelledSignals: signals, createDetector: doubleDetectors(updates), exemplars, recentIntervals: 5 }), 0);
}

/** 100 spans of 1..100 ms; `failed` of them (the slowest) failed. */
function fillInterval(s: BaselineSeries, scale = 1, failed = 0): void {
  for (let i = 1; i <= 100; i++) s.add(i * scale, i > 100 - failed, trace(i));
}

describe('BaselineSeries', () => {
  it('rolls an interval up into quantiles (DDSketch, 1 %), error ratio and throughput, and feeds each detector once', () => {
    const updates: RecordedUpdate[] = [];
    const s = series(updates);
    fillInterval(s, 1, 5);
    s.close(MINUTE, MINUTE);
    const observed = BASELINE_SIGNALS.map((_, i) => s.observedValue(i));
    expect(observed[SignalIndex.latency_p50]).toBeCloseTo(50, -0.3);
    expect(Math.abs(observed[SignalIndex.latency_p99]! / 99 - 1)).toBeLessThanOrEqual(0.01);
    expect(observed[SignalIndex.error_ratio]).toBe(0.05);
    expect(observed[SignalIndex.throughput]).toBeCloseTo(100 / 60, 12);
    expect(updates.map((u) => [u.signal, u.timeMs, u.count])).toEqual([
      ['latency_p50', MINUTE, 100],
      ['latency_p90', MINUTE, 100],
      ['latency_p95', MINUTE, 100],
      ['latency_p99', MINUTE, 100],
      ['error_ratio', MINUTE, 100],
      ['throughput', MINUTE, undefined], // a rate is not a sample: no minimum count
    ]);
    expect(s.lastIntervalCount).toBe(100);
    expect(s.ring.countAt(0)).toBe(100);
  });

  it('has no baseline during the detector\'s cold start, then the detector\'s center', () => {
    const s = series([]);
    for (let i = 1; i <= 3; i++) {
      fillInterval(s);
      s.close(i * MINUTE, MINUTE);
      expect(s.hasAnyBaseline).toBe(false);
      expect(s.baseline(SignalIndex.latency_p99)).toBeNaN();
    }
    fillInterval(s);
    s.close(4 * MINUTE, MINUTE);
    expect(s.hasAnyBaseline).toBe(true);
    expect(Math.abs(s.baseline(SignalIndex.latency_p99) / 99 - 1)).toBeLessThanOrEqual(0.01);
    expect(s.expectedHigh(SignalIndex.latency_p99)).toBeCloseTo(s.baseline(SignalIndex.latency_p99) * 1.5, 9);
  });

  it('feeds only throughput (as 0) for an empty interval; the other readings stand, marked not updated', () => {
    const updates: RecordedUpdate[] = [];
    const s = series(updates);
    for (let i = 1; i <= 4; i++) {
      fillInterval(s);
      s.close(i * MINUTE, MINUTE);
    }
    updates.length = 0;
    s.close(5 * MINUTE, MINUTE);
    expect(updates).toEqual([{ signal: 'throughput', timeMs: 5 * MINUTE, value: 0, count: undefined }]);
    expect(s.hasBaseline(SignalIndex.latency_p99)).toBe(true);
    expect(s.wasUpdated(SignalIndex.latency_p99)).toBe(false);
    expect(s.wasUpdated(SignalIndex.throughput)).toBe(true);
    expect(s.observedValue(SignalIndex.latency_p99)).toBeNaN();
    expect(s.ring.recent(SignalIndex.latency_p99, 2)[1]).toBeNull();
  });

  it('reports what its detectors say is anomalous, per signal', () => {
    const s = series([]);
    for (let i = 1; i <= 4; i++) {
      fillInterval(s);
      s.close(i * MINUTE, MINUTE);
    }
    fillInterval(s, 2);
    s.close(5 * MINUTE, MINUTE);
    expect(s.isAnomalous(SignalIndex.latency_p99)).toBe(true);
    expect(s.isAnomalous(SignalIndex.error_ratio)).toBe(false);
    expect(s.score(SignalIndex.latency_p99)).toBe(0.9);
  });

  it('clears the anomalous flag of a signal left without a value for emptyIntervalsToEndAnomaly intervals, not before', () => {
    const updates: RecordedUpdate[] = [];
    const model = new BaselineModel({ modelledSignals: [...BASELINE_SIGNALS], createDetector: doubleDetectors(updates), emptyIntervalsToEndAnomaly: 2 });
    const s = new BaselineSeries(LABELS, false, model, 0);
    for (let i = 1; i <= 4; i++) {
      fillInterval(s);
      s.close(i * MINUTE, MINUTE);
    }
    fillInterval(s, 2);
    s.close(5 * MINUTE, MINUTE);
    expect(s.isAnomalous(SignalIndex.latency_p99)).toBe(true);
    s.close(6 * MINUTE, MINUTE);
    expect(s.isAnomalous(SignalIndex.latency_p99)).toBe(true); // one empty interval: the reading stands
    updates.length = 0;
    s.close(7 * MINUTE, MINUTE);
    expect(s.isAnomalous(SignalIndex.latency_p99)).toBe(false);
    expect(s.hasBaseline(SignalIndex.latency_p99)).toBe(true); // the band stays, as evidence
    expect(updates.map((u) => u.signal)).toEqual(['throughput']); // the detector itself is not fed
    fillInterval(s, 2);
    s.close(8 * MINUTE, MINUTE);
    expect(s.isAnomalous(SignalIndex.latency_p99)).toBe(true); // a value again: the detector decides afresh
  });

  it('refuses an emptyIntervalsToEndAnomaly below 1', () => {
    expect(() => new BaselineModel({ modelledSignals: ['latency_p99'], createDetector: doubleDetectors(), emptyIntervalsToEndAnomaly: 0 })).toThrow(RangeError);
  });

  it('keeps the closed interval\'s slowest (and slowest failed) trace ids as evidence', () => {
    const s = series([], [...BASELINE_SIGNALS], 2);
    fillInterval(s, 1, 3);
    s.close(MINUTE, MINUTE);
    expect(s.slowestTraceIds()).toEqual([trace(100), trace(99)]);
    expect(s.slowestFailedTraceIds()).toEqual([trace(100), trace(99)]);
    s.add(1, false, trace(7));
    s.close(2 * MINUTE, MINUTE);
    expect(s.slowestTraceIds()).toEqual([trace(7)]);
    expect(s.slowestFailedTraceIds()).toEqual([]);
  });

  it('only builds detectors for the modelled signals', () => {
    const updates: RecordedUpdate[] = [];
    const s = series(updates, ['latency_p99', 'throughput']);
    fillInterval(s);
    s.close(MINUTE, MINUTE);
    expect(updates.map((u) => u.signal)).toEqual(['latency_p99', 'throughput']);
    expect(s.isModelled(SignalIndex.latency_p50)).toBe(false);
    expect(s.observedValue(SignalIndex.latency_p50)).toBeGreaterThan(0); // rolled up all the same
  });

  it('starts the next interval empty even when a detector throws', () => {
    const throwing: AnomalyDetector = {
      update() {
        throw new Error('boom');
      },
    };
    const s = new BaselineSeries(LABELS, false, new BaselineModel({ modelledSignals: ['latency_p99'], createDetector: () => throwing }), 0);
    fillInterval(s);
    expect(() => s.close(MINUTE, MINUTE)).toThrow('boom');
    expect(s.openCount).toBe(0);
    expect(s.lastIntervalCount).toBe(100);
  });
});
