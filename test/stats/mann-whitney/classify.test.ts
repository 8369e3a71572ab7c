import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyMannWhitney } from '../../../src/stats/mann-whitney/classify';
import type { CanaryClassificationLabel, MannWhitneyClassifierOptions } from '../../../src/stats/mann-whitney/classify';
import { createSeededRandom } from '../../../src/stats/mann-whitney/seeded-random';

const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);
const mirror: Record<CanaryClassificationLabel, CanaryClassificationLabel> = {
  Pass: 'Pass',
  High: 'Low',
  Low: 'High',
  Nodata: 'Nodata',
  NodataFailure: 'NodataFailure',
};

describe('classifyMannWhitney', () => {
  const control = range(100, 30); // 100 … 129
  const slower = range(140, 30); // 140 … 169: every difference is ≥ 11, the estimate is 40

  it('classifies a clear increase High and a clear decrease Low, with what the report needs', () => {
    const high = classifyMannWhitney(control, slower, 'either');
    expect(high.classification).toBe('High');
    expect(high.critical).toBe(false);
    expect(high.estimate).toBe(40);
    expect(high.meanRatio).toBeCloseTo(154.5 / 114.5, 12);
    expect(high.effectSize).toBe(high.meanRatio);
    expect(high.pValue).toBeLessThan(1e-9);
    expect(high.confidenceInterval[0]).toBeGreaterThan(0.25 * 40);
    expect(high.controlCount).toBe(30);
    expect(high.experimentCount).toBe(30);
    expect(high.reason).toMatch(/^High: the 95% confidence interval of the shift \[\d+, \d+\] lies above \+10 \(tolerance × \|estimate 40\|\)$/);

    const low = classifyMannWhitney(slower, control, 'either');
    expect(low.classification).toBe('Low');
    expect(low.estimate).toBe(-40);
    expect(low.reason).toMatch(/^Low: .* lies below −10/);
  });

  it('only reports the watched direction', () => {
    expect(classifyMannWhitney(control, slower, 'increase').classification).toBe('High');
    expect(classifyMannWhitney(control, slower, 'decrease').classification).toBe('Pass');
    expect(classifyMannWhitney(slower, control, 'decrease').classification).toBe('Low');
    expect(classifyMannWhitney(slower, control, 'increase').classification).toBe('Pass');
  });

  it('passes a significant shift smaller than the tolerance allows', () => {
    // 100…129 against 102…131: the shift estimate is 2; with tolerance 0.25 the interval must clear 0.5,
    // but 30 + 30 values cannot pin a 2-unit shift of a 30-unit spread that tightly.
    const result = classifyMannWhitney(control, range(102, 30), 'either');
    expect(result.classification).toBe('Pass');
    expect(result.reason).toBeUndefined();
    expect(result.confidenceInterval[0]).toBeLessThan(0.5);
  });

  it('vetoes High when the effect size is below the high threshold', () => {
    const options: MannWhitneyClassifierOptions = { effectSizeThresholds: [0.5, 1.5] };
    // Mean ratio 154.5 / 114.5 = 1.35 < 1.5.
    expect(classifyMannWhitney(control, slower, 'either', options).classification).toBe('Pass');
    expect(classifyMannWhitney(control, slower, 'either', { effectSizeThresholds: [0.5, 1.3] }).classification).toBe('High');
  });

  it('uses CLES when asked: the share of (experiment, control) pairs where the experiment is higher', () => {
    const result = classifyMannWhitney([1, 2, 3, 4], [3, 4, 5, 6], 'either', { effectSizeMeasure: 'cles', tolerance: 0 });
    // Pairs e > c: 3>{1,2} 4>{1,2,3} 5>all 6>all = 2 + 3 + 4 + 4 = 13, ties 3=3, 4=4 count ½ each: 14 / 16.
    expect(result.effectSize).toBe(14 / 16);
    expect(result.meanRatio).toBe(4.5 / 2.5);
  });

  it('marks a critical metric critical only beyond the critical thresholds', () => {
    const critical = { criticalMetric: true, criticalThresholds: [0.8, 1.3] } as const;
    expect(classifyMannWhitney(control, slower, 'either', critical)).toMatchObject({ classification: 'High', critical: true });
    expect(classifyMannWhitney(control, slower, 'either', { ...critical, criticalThresholds: [0.8, 1.4] })).toMatchObject({
      classification: 'High',
      critical: false,
    });
    expect(classifyMannWhitney(control, slower, 'either', { criticalThresholds: [0.8, 1.3] }).critical).toBe(false);
    expect(classifyMannWhitney(slower, control, 'either', { ...critical, criticalThresholds: [0.75, 2] })).toMatchObject({
      classification: 'Low',
      critical: true,
    });
    expect(classifyMannWhitney(control, control, 'either', critical).critical).toBe(false);
  });

  it('reports missing data as Nodata, NodataFailure when data is required', () => {
    const empty = classifyMannWhitney([], [1, 2], 'either');
    expect(empty).toMatchObject({ classification: 'Nodata', critical: false, controlCount: 0, experimentCount: 2, reason: 'no data: the control is empty' });
    expect(empty.pValue).toBeNaN();
    expect(empty.confidenceInterval[0]).toBeNaN();
    expect(classifyMannWhitney([1], [], 'either', { dataRequired: true })).toMatchObject({ classification: 'NodataFailure', critical: false });
    // A critical metric without data is critical (Kayenta), not a mere failure.
    expect(classifyMannWhitney([], [], 'either', { dataRequired: true, criticalMetric: true })).toMatchObject({
      classification: 'Nodata',
      critical: true,
      reason: 'no data: both samples are empty',
    });
  });

  it('passes identical samples and a single value, with mean ratio 1', () => {
    const identical = classifyMannWhitney([3, 1, 2], [2, 3, 1], 'either');
    expect(identical).toMatchObject({ classification: 'Pass', meanRatio: 1, effectSize: 1, reason: 'the experiment and control values are identical' });
    expect(identical.pValue).toBe(1);
    const allZero = classifyMannWhitney([0, 0], [0, 0, 0], 'either', { effectSizeMeasure: 'cles' });
    expect(allZero).toMatchObject({ classification: 'Pass', meanRatio: 1, effectSize: 0.5, estimate: 0, pValue: 1, reason: 'every value is the same' });
    expect(allZero.confidenceInterval).toEqual([0, 0]);
  });

  it('adds reproducible, injectable noise when both samples are constant', () => {
    const first = classifyMannWhitney([5, 5, 5, 5, 5], [6, 6, 6, 6, 6], 'either');
    const second = classifyMannWhitney([5, 5, 5, 5, 5], [6, 6, 6, 6, 6], 'either');
    expect(first).toEqual(second);
    expect(first.classification).toBe('High');
    expect(first.reason).toContain('both samples were constant, tiny noise was added');
    // The noise is about 1e-5 of the values: the estimate stays 1 to 4 decimals.
    expect(first.estimate).toBeCloseTo(1, 4);

    let draws = 0;
    const seeded = createSeededRandom(42);
    const counted = (): number => {
      draws++;
      return seeded();
    };
    const injected = classifyMannWhitney([5, 5, 5], [4, 4, 4, 4], 'either', { random: counted });
    expect(draws).toBe(2 * 7); // two uniforms per Gaussian draw, one draw per value
    expect(injected.classification).toBe('Low');
  });

  it('rejects non-finite values and options out of range', () => {
    expect(() => classifyMannWhitney([1, Number.NaN], [1], 'either')).toThrow('control[1] must be a finite number, got NaN');
    expect(() => classifyMannWhitney([1], [Infinity], 'either')).toThrow('experiment[0] must be a finite number, got Infinity');
    expect(() => classifyMannWhitney([1], [2], 'either', { tolerance: -1 })).toThrow(RangeError);
    expect(() => classifyMannWhitney([1], [2], 'either', { confidenceLevel: 1 })).toThrow(RangeError);
    expect(() => classifyMannWhitney([1], [2], 'either', { effectSizeThresholds: [Number.NaN, 1] })).toThrow(RangeError);
  });

  describe('zero-inflated samples (the interval collapses onto 0)', () => {
    // Error counts per minute: mostly 0 on both sides; the pairwise differences are mostly 0, so the
    // estimate and both bounds are 0 and the margin tolerance × |0| is 0 as well.
    const baseline = [...Array<number>(90).fill(0), 1, 1, 2, 1, 1, 1, 3, 1, 2, 1];
    const noisier = [...Array<number>(60).fill(0), ...Array<number>(40).fill(1), 2, 3, 2, 4, 2];

    it('is High when the test rejects "no shift" upward, Low mirrored', () => {
      const result = classifyMannWhitney(baseline, noisier, 'either');
      expect(result.confidenceInterval).toEqual([0, 0]);
      expect(result.estimate).toBe(0);
      expect(result.pValue).toBeLessThan(0.001);
      expect(result.classification).toBe('High');
      expect(classifyMannWhitney(noisier, baseline, 'either').classification).toBe('Low');
    });

    it('passes when the extra non-zero values are not significant', () => {
      const slightly = [...Array<number>(88).fill(0), 1, 1, 2, 1, 1, 1, 3, 1, 2, 1, 1, 1];
      const result = classifyMannWhitney(baseline, slightly, 'either');
      expect(result.pValue).toBeGreaterThan(0.05);
      expect(result.classification).toBe('Pass');
    });
  });

  it('classifies 2000 against 2000 values (the bounded O(n + m) memory path)', () => {
    const random = createSeededRandom(7);
    const base = Array.from({ length: 2000 }, () => 100 + 20 * random());
    const regressed = Array.from({ length: 2000 }, () => 130 + 20 * random());
    const result = classifyMannWhitney(base, regressed, 'either');
    expect(result.classification).toBe('High');
    expect(result.estimate).toBeGreaterThan(25);
    expect(result.estimate).toBeLessThan(35);
  });
});

describe('classifyMannWhitney: properties', () => {
  // Positive integers: exact arithmetic, heavy ties, and positive means (the mean ratio keeps its meaning).
  const sample = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 40 });
  const spread = fc.tuple(sample, fc.integer({ min: 0, max: 30 })).map(([values, lift]) => values.map((v) => v + lift));
  const measure = fc.constantFrom<'meanRatio' | 'cles'>('meanRatio', 'cles');

  it('swapping control and experiment mirrors High and Low', () => {
    fc.assert(
      fc.property(sample, spread, measure, (control, experiment, effectSizeMeasure) => {
        const options: MannWhitneyClassifierOptions = {
          tolerance: 0.1,
          effectSizeMeasure,
          // CLES thresholds symmetric around ½, mean-ratio thresholds reciprocal around 1: both mirror exactly.
          effectSizeThresholds: effectSizeMeasure === 'cles' ? [0.4, 0.6] : [1, 1],
        };
        const forward = classifyMannWhitney(control, experiment, 'either', options);
        const backward = classifyMannWhitney(experiment, control, 'either', options);
        expect(backward.classification).toBe(mirror[forward.classification]);
      }),
      { numRuns: 300 },
    );
  });

  it('identical samples (in any order) pass', () => {
    fc.assert(
      fc.property(sample, fc.constantFrom('increase', 'decrease', 'either' as const), (values, direction) => {
        const shuffled = [...values].reverse();
        expect(classifyMannWhitney(values, shuffled, direction).classification).toBe('Pass');
      }),
    );
  });

  it('shifting both samples by the same constant leaves the classification unchanged', () => {
    fc.assert(
      fc.property(sample, spread, fc.integer({ min: 0, max: 1000 }), measure, (control, experiment, shift, effectSizeMeasure) => {
        const options: MannWhitneyClassifierOptions = { tolerance: 0.1, effectSizeMeasure };
        const before = classifyMannWhitney(control, experiment, 'either', options);
        const after = classifyMannWhitney(
          control.map((v) => v + shift),
          experiment.map((v) => v + shift),
          'either',
          options,
        );
        expect(after.classification).toBe(before.classification);
        // Constant samples get noise proportional to their value, so only the classification carries over.
        const constant = (values: number[]): boolean => values.every((v) => v === values[0]);
        if (!(constant(control) && constant(experiment))) {
          expect(after.estimate).toBe(before.estimate);
          expect(after.confidenceInterval).toEqual(before.confidenceInterval);
        }
      }),
      { numRuns: 300 },
    );
  });
});
