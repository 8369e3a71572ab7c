import { describe, expect, it } from 'vitest';
import { DEFAULT_ANOMALY_DETECTOR_OPTIONS, resolveAnomalyDetectorOptions } from '../../src/anomaly/anomaly-detector-options';
import { createAnomalyDetector } from '../../src/anomaly/create-anomaly-detector';

describe('resolveAnomalyDetectorOptions', () => {
  it('fills every default in one place', () => {
    expect(resolveAnomalyDetectorOptions()).toEqual(DEFAULT_ANOMALY_DETECTOR_OPTIONS);
    expect(DEFAULT_ANOMALY_DETECTOR_OPTIONS).toMatchObject({
      intervalMs: 60_000,
      historyMs: 7 * 86_400_000,
      warmupIntervals: 30,
      sustainIntervals: 5,
      longSustainIntervals: 60,
      sustainedZ: 2,
      extremeZ: 8,
      minCount: 20,
      minRelativeChange: 0.1,
      direction: 'both',
      valueKind: 'level',
      rebaselineMs: 3_600_000,
      noveltyWindow: 0,
    });
  });

  it('accepts noveltyWindow 0 (off) or 5 … 128', () => {
    expect(resolveAnomalyDetectorOptions({ noveltyWindow: 0 }).noveltyWindow).toBe(0);
    expect(resolveAnomalyDetectorOptions({ noveltyWindow: 52 }).noveltyWindow).toBe(52);
    expect(resolveAnomalyDetectorOptions({ noveltyWindow: 128 }).noveltyWindow).toBe(128);
  });

  it("accepts valueKind 'level' (default) or 'ratio'", () => {
    expect(resolveAnomalyDetectorOptions({ valueKind: 'ratio' }).valueKind).toBe('ratio');
    expect(resolveAnomalyDetectorOptions({}).valueKind).toBe('level');
  });

  it("accepts scale 'linear' (default) or 'log', but not 'log' for ratios", () => {
    expect(resolveAnomalyDetectorOptions({}).scale).toBe('linear');
    expect(resolveAnomalyDetectorOptions({ scale: 'log' }).scale).toBe('log');
    expect(() => resolveAnomalyDetectorOptions({ scale: 'log', valueKind: 'ratio' })).toThrow(/scale 'log'/);
  });

  it('keeps given values and freezes the result', () => {
    const o = resolveAnomalyDetectorOptions({ direction: 'up', historyMs: 3_600_000, minCount: 0 });
    expect([o.direction, o.historyMs, o.minCount]).toEqual(['up', 3_600_000, 0]);
    expect(Object.isFrozen(o)).toBe(true);
  });

  it.each([
    [{ historyMs: 0 }, /historyMs/],
    [{ historyMs: 30 * 60_000 }, /historyMs/],
    [{ historyMs: 8 * 86_400_000 }, /historyMs/],
    [{ sustainIntervals: 0 }, /sustainIntervals/],
    [{ sustainIntervals: 65 }, /sustainIntervals/],
    [{ warmupIntervals: 2.5 }, /warmupIntervals/],
    [{ minRelativeChange: -0.1 }, /minRelativeChange/],
    [{ extremeZ: Number.NaN }, /extremeZ/],
    [{ direction: 'sideways' as 'up' }, /direction/],
    [{ valueKind: 'percent' as 'ratio' }, /valueKind/],
    [{ scale: 'sqrt' as 'log' }, /scale/],
    [{ noveltyWindow: 4 }, /noveltyWindow/],
    [{ noveltyWindow: 129 }, /noveltyWindow/],
    [{ noveltyWindow: 52.5 }, /noveltyWindow/],
  ])('rejects %j', (options, message) => {
    expect(() => resolveAnomalyDetectorOptions(options)).toThrow(message);
    expect(() => createAnomalyDetector(options)).toThrow(RangeError);
  });
});
