import { describe, expect, it } from 'vitest';
import { RollupRing } from '../../src/baseline/rollup-ring';
import { SIGNAL_COUNT, SignalIndex } from '../../src/baseline/baseline-signal';

function values(p99: number): number[] {
  const v = new Array<number>(SIGNAL_COUNT).fill(Number.NaN);
  v[SignalIndex.latency_p99] = p99;
  v[SignalIndex.throughput] = p99 / 10;
  return v;
}

describe('RollupRing', () => {
  it('keeps the last `length` intervals, newest at age 0', () => {
    const ring = new RollupRing(3);
    for (let i = 1; i <= 5; i++) ring.push(i * 60_000, i * 10, values(i * 100));
    expect(ring.size).toBe(3);
    expect([0, 1, 2, 3].map((age) => ring.endTimeAt(age))).toEqual([300_000, 240_000, 180_000, Number.NaN]);
    expect([0, 1, 2, 3].map((age) => ring.countAt(age))).toEqual([50, 40, 30, 0]);
    expect(ring.valueAt(0, SignalIndex.latency_p99)).toBe(500);
    expect(ring.valueAt(0, SignalIndex.latency_p50)).toBeNaN();
  });

  it('lists a signal oldest first, with null where an interval had no value', () => {
    const ring = new RollupRing(4);
    ring.push(1, 1, values(100));
    ring.push(2, 0, values(Number.NaN));
    ring.push(3, 1, values(300));
    expect(ring.recent(SignalIndex.latency_p99, 10)).toEqual([100, null, 300]);
    expect(ring.recent(SignalIndex.latency_p99, 2)).toEqual([null, 300]);
  });

  it('declares its typed-array bytes: 36 per interval', () => {
    expect(new RollupRing(30).bytes).toBe(30 * 36);
  });
});
