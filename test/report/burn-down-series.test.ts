import { describe, expect, it } from 'vitest';
import { budgetPointsOf, burnDownBucketMs, cumulativeCountsOf } from '../../src/report/burn-down-series';

const HOUR = 3_600_000;

describe('cumulativeCountsOf', () => {
  it('is empty without buckets (no data: no line)', () => {
    expect(cumulativeCountsOf([], HOUR, { fromMs: 0, toMs: 10 * HOUR })).toEqual([]);
  });

  it('draws nothing spent up to the first bucket with data, then a step', () => {
    const points = cumulativeCountsOf(
      [
        { startMs: 5 * HOUR, good: 90, bad: 10 },
        { startMs: 6 * HOUR, good: 100, bad: 0 },
      ],
      HOUR,
      { fromMs: 0, toMs: 10 * HOUR },
    );
    expect(points).toEqual([
      { atMs: 0, good: 0, bad: 0 },
      { atMs: 5 * HOUR, good: 0, bad: 0 },
      { atMs: 6 * HOUR, good: 90, bad: 10 },
      { atMs: 7 * HOUR, good: 190, bad: 10 },
    ]);
    const budget = budgetPointsOf(points, 0.9).map((p) => p.budgetRemaining);
    expect(budget[0]).toBe(1);
    expect(budget[1]).toBe(1);
    expect(budget[2]).toBeCloseTo(0, 12);
    expect(budget[3]).toBeCloseTo(1 - 10 / 200 / 0.1, 12);
  });

  it('adds no extra point when data starts with the period, and clips bucket ends to the period', () => {
    const points = cumulativeCountsOf([{ startMs: 0, good: 1, bad: 0 }], HOUR, { fromMs: 0, toMs: HOUR / 2 });
    expect(points).toEqual([
      { atMs: 0, good: 0, bad: 0 },
      { atMs: HOUR / 2, good: 1, bad: 0 },
    ]);
  });
});

describe('burnDownBucketMs', () => {
  it('keeps 30 days within 200 points in whole hours', () => {
    const width = burnDownBucketMs(0, 30 * 24 * HOUR, 200);
    expect(width % HOUR).toBe(0);
    expect(Math.ceil((30 * 24 * HOUR) / width) + 2).toBeLessThanOrEqual(200);
  });
});
