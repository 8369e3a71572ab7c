import { describe, expect, it } from 'vitest';
import { segmentsBetween, sidesAt } from '../../../src/stats/changepoint/segment';
import { summarizeSegment } from '../../../src/stats/changepoint/segment-summary';

describe('segmentsBetween', () => {
  it('cuts [0, length) at the change points', () => {
    expect(segmentsBetween([], 5)).toEqual([{ start: 0, stop: 5 }]);
    expect(segmentsBetween([2, 4], 7)).toEqual([
      { start: 0, stop: 2 },
      { start: 2, stop: 4 },
      { start: 4, stop: 7 },
    ]);
  });

  it('leaves out empty runs', () => {
    expect(segmentsBetween([0, 3, 3, 5], 5)).toEqual([
      { start: 0, stop: 3 },
      { start: 3, stop: 5 },
    ]);
    expect(segmentsBetween([], 0)).toEqual([]);
  });
});

describe('sidesAt', () => {
  const segments = segmentsBetween([3, 6], 10);

  it('takes whole neighbouring segments at an existing boundary', () => {
    expect(sidesAt(3, segments)).toEqual({ before: { start: 0, stop: 3 }, after: { start: 3, stop: 6 } });
    expect(sidesAt(6, segments)).toEqual({ before: { start: 3, stop: 6 }, after: { start: 6, stop: 10 } });
  });

  it('splits the segment a new candidate falls in', () => {
    expect(sidesAt(8, segments)).toEqual({ before: { start: 6, stop: 8 }, after: { start: 8, stop: 10 } });
    expect(sidesAt(1, segments)).toEqual({ before: { start: 0, stop: 1 }, after: { start: 1, stop: 3 } });
  });

  it('refuses an index at either end', () => {
    expect(() => sidesAt(0, segments)).toThrow(RangeError);
    expect(() => sidesAt(10, segments)).toThrow(RangeError);
  });
});

describe('summarizeSegment', () => {
  it('gives the mean and the population standard deviation', () => {
    const summary = summarizeSegment([9, 2, 4, 4, 4, 5, 5, 7, 9, 9], { start: 1, stop: 9 });
    expect(summary).toEqual({ count: 8, mean: 5, stdDev: 2 });
  });

  it('gives 0 spread for one point and refuses an empty segment', () => {
    expect(summarizeSegment([3], { start: 0, stop: 1 })).toEqual({ count: 1, mean: 3, stdDev: 0 });
    expect(() => summarizeSegment([3], { start: 1, stop: 1 })).toThrow(RangeError);
  });
});
