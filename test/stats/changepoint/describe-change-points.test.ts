import { describe, expect, it } from 'vitest';
import { describeChangePoints } from '../../../src/stats/changepoint/describe-change-points';
import { detectChangePoints } from '../../../src/stats/changepoint/detect-change-points';

describe('describeChangePoints', () => {
  it('describes each change point by the segments between its neighbours', () => {
    const [first, second] = describeChangePoints([1, 1.2, 0.8, 5, 5.2, 4.8, 9, 9.2, 8.8], [3, 6]);
    expect(first).toMatchObject({ index: 3, meanBefore: 1, stdDevAfter: expect.closeTo(0.163299, 5) as number });
    expect(first?.meanAfter).toBeCloseTo(5, 12);
    expect(first?.forwardChangePercent).toBeCloseTo(400, 9);
    expect(second?.meanBefore).toBeCloseTo(5, 12);
    expect(second?.meanAfter).toBeCloseTo(9, 12);
    expect(second?.pValue).toBeLessThan(1e-4);
    expect(describeChangePoints([1, 2], [])).toEqual([]);
  });

  it("replaces the stale side Otava's merge step can leave", () => {
    const latency = [12.1, 11.9, 12.0, 12.2, 11.8, 12.0, 12.1, 11.9, 12.0, 12.1, 14.0, 14.2, 13.9, 14.1, 14.0, 13.8];
    const detected = detectChangePoints(latency, { windowLength: 30, maxPValue: 0.01 });
    expect(detected.map((point) => point.index)).toEqual([10]);
    // The merge step last tested 10 against [10, 15), before removing a weak change point at 15.
    expect(detected[0]?.meanAfter).toBeCloseTo(14.04, 10);
    const [described] = describeChangePoints(latency, [10]);
    expect(described?.meanAfter).toBeCloseTo(14, 10);
    expect(described?.meanBefore).toBeCloseTo(12.01, 10);
  });
});
