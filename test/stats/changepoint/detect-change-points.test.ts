import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectChangePoints, firstPassPValue } from '../../../src/stats/changepoint/detect-change-points';
import type { TestedChangePoint } from '../../../src/stats/changepoint/change-point';
import { changeMagnitude, forwardRelativeChange } from '../../../src/stats/changepoint/change-point';
import { mergeChangePoints } from '../../../src/stats/changepoint/merge-change-points';
import { segmentsBetween } from '../../../src/stats/changepoint/segment';
import { tTestSignificance } from '../../../src/stats/changepoint/t-test-significance';
import { weakChangePoints } from '../../../src/stats/changepoint/weak-change-points';

/** Weak change points at `indexes`, each tested against its adjacent segments, as the split step leaves them. */
function testedAt(values: readonly number[], indexes: readonly number[]): TestedChangePoint[] {
  const segments = segmentsBetween(indexes, values.length);
  return indexes.map((index) => ({ index, qhat: 0, statistics: tTestSignificance(values, { index, qhat: 0 }, segments) }));
}

/** Uniform numbers in [-1, 1) from a seed (mulberry32, Tommy Ettinger's 32-bit mixer). */
function uniformNoise(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return (((mixed ^ (mixed >>> 14)) >>> 0) / 2 ** 31) - 1;
  };
}

const windowLength = fc.integer({ min: 2, max: 60 });
const maxPValue = fc.constantFrom(0.1, 0.05, 0.01, 0.001, 1e-5);

describe('detectChangePoints properties', () => {
  it('finds nothing in a constant series', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 200 }), windowLength, maxPValue, (level, length, window, p) => {
        expect(detectChangePoints(new Array<number>(length).fill(level), { windowLength: window, maxPValue: p })).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('finds a noiseless step exactly at its index', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 2, max: 120 }),
        fc.integer({ min: 2, max: 120 }),
        windowLength,
        (level, jump, before, after, window) => {
          const values = [...new Array<number>(before).fill(level), ...new Array<number>(after).fill(level + jump)];
          expect(detectChangePoints(values, { windowLength: Math.max(window, 4) }).map((point) => point.index)).toEqual([before]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('finds a large step in noise at its index', () => {
    // Uniform noise in [-1, 1] (from a seeded generator: fast-check's own doubles favour
    // exact repeats such as 0, and runs of equal values have zero spread, where a single
    // odd point is "significant" to a t-test); a step of 100 stands far above it.
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 5, max: 75 }),
        fc.integer({ min: 5, max: 75 }),
        fc.constantFrom(-1, 1),
        fc.integer({ min: 10, max: 60 }),
        (seed, before, after, sign, window) => {
          const noise = uniformNoise(seed);
          const values = Array.from({ length: before + after }, (_, i) => 1000 + (i >= before ? sign * 100 : 0) + noise());
          const found = detectChangePoints(values, { windowLength: window });
          expect(found.map((point) => point.index)).toContain(before);
          const step = found.find((point) => point.index === before)!;
          expect(Math.sign(step.meanAfter - step.meanBefore)).toBe(sign);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('returns sorted, distinct indexes within [1, n−1] that pass the thresholds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: -20, max: 20 }), fc.double({ min: -1e3, max: 1e3, noNaN: true })), { maxLength: 160 }),
        windowLength,
        maxPValue,
        fc.constantFrom(0, 0.01, 0.1, 0.5),
        (values, window, p, magnitude) => {
          const found = detectChangePoints(values, { windowLength: window, maxPValue: p, minMagnitude: magnitude });
          for (let i = 0; i < found.length; i++) {
            const point = found[i]!;
            expect(Number.isInteger(point.index)).toBe(true);
            expect(point.index).toBeGreaterThanOrEqual(1);
            expect(point.index).toBeLessThanOrEqual(values.length - 1);
            if (i > 0) expect(point.index).toBeGreaterThan(found[i - 1]!.index);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('does not modify its input', () => {
    const values = [1, 1, 1, 1, 9, 9, 9, 9];
    const copy = [...values];
    detectChangePoints(values, { windowLength: 4 });
    expect(values).toEqual(copy);
  });
});

describe('detectChangePoints options', () => {
  it('reports means, change and p-value of the adjacent segments', () => {
    const values = [10, 10.2, 9.8, 10, 10.1, 9.9, 12, 12.2, 11.8, 12, 12.1, 11.9];
    const [point, ...rest] = detectChangePoints(values);
    expect(rest).toEqual([]);
    expect(point?.index).toBe(6);
    expect(point?.meanBefore).toBeCloseTo(10, 12);
    expect(point?.meanAfter).toBeCloseTo(12, 12);
    expect(point?.forwardChangePercent).toBeCloseTo(20, 10);
    expect(point?.pValue).toBeLessThan(1e-8);
  });

  it('drops a significant change below minMagnitude', () => {
    const values = [10, 10.2, 9.8, 10, 10.1, 9.9, 12, 12.2, 11.8, 12, 12.1, 11.9];
    expect(detectChangePoints(values, { minMagnitude: 0.19 })).toHaveLength(1);
    expect(detectChangePoints(values, { minMagnitude: 0.21 })).toEqual([]);
  });

  it('refuses options out of range and non-finite values', () => {
    expect(() => detectChangePoints([1, 2], { windowLength: 1 })).toThrow(/windowLength/);
    expect(() => detectChangePoints([1, 2], { windowLength: 2.5 })).toThrow(/windowLength/);
    expect(() => detectChangePoints([1, 2], { maxPValue: 0 })).toThrow(/maxPValue/);
    expect(() => detectChangePoints([1, 2], { maxPValue: 1.5 })).toThrow(/maxPValue/);
    expect(() => detectChangePoints([1, 2], { minMagnitude: -0.1 })).toThrow(/minMagnitude/);
    expect(() => detectChangePoints([1, NaN, 2])).toThrow(/values\[1\]/);
    expect(() => detectChangePoints([1, Infinity])).toThrow(/values\[1\]/);
  });

  it('relaxes the split-step p-value as Otava does', () => {
    expect(firstPassPValue(0.001)).toBeCloseTo(0.01, 15);
    expect(firstPassPValue(0.1)).toBeCloseTo(0.2, 15);
    expect(firstPassPValue(0.6)).toBe(0.6);
  });
});

describe('weakChangePoints', () => {
  it('collects the change points of overlapping windows once each, with adjacent-segment statistics', () => {
    const values = [...new Array<number>(30).fill(1), ...new Array<number>(30).fill(3), ...new Array<number>(30).fill(2)];
    const weak = weakChangePoints(values, 20, 0.01);
    expect(weak.map((point) => point.index)).toEqual([30, 60]);
    expect(weak[0]?.statistics.before.mean).toBe(1);
    expect(weak[0]?.statistics.after.mean).toBe(3);
    expect(weak[1]?.statistics.after).toEqual({ count: 30, mean: 2, stdDev: 0 });
  });
});

describe('mergeChangePoints', () => {
  const values = [0, 0.1, 0, 0.1, 10, 10.1, 10, 10.1, 10.05, 10, 10.1, 10, 20, 20.1, 20, 20.1];

  it('removes a change point that fails and re-tests the one after it', () => {
    const merged = mergeChangePoints(testedAt(values, [4, 8, 12]), values, 0.001, 0);
    expect(merged.map((point) => point.index)).toEqual([4, 12]);
    // 12 moved into 8's position and was re-tested: its left side is now [4, 12).
    expect(merged[1]?.statistics.before.count).toBe(8);
    // Like Otava, the change point before the removed one keeps its earlier right side [4, 8).
    expect(merged[0]?.statistics.after.count).toBe(4);
  });

  it('then removes the smallest change while it is not above minMagnitude', () => {
    const merged = mergeChangePoints(testedAt(values, [4, 8, 12]), values, 0.001, 1.5);
    expect(merged.map((point) => point.index)).toEqual([4]);
    expect(changeMagnitude(merged[0]!.statistics)).toBeGreaterThan(1.5);
  });

  it('keeps everything that passes and does not modify its input', () => {
    const weak = testedAt(values, [4, 12]);
    const merged = mergeChangePoints(weak, values, 0.001, 0);
    expect(merged).toEqual(weak);
    expect(merged).not.toBe(weak);
  });
});

describe('relative change', () => {
  it('is guarded against a zero mean', () => {
    expect(forwardRelativeChange(0, 5)).toBe(0);
    expect(forwardRelativeChange(4, 5)).toBeCloseTo(0.25, 15);
  });
});
