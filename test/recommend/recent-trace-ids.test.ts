import { describe, expect, it } from 'vitest';
import { RecentTraceIds } from '../../src/recommend/recent-trace-ids';

describe('RecentTraceIds', () => {
  it('remembers the last `capacity` ids and forgets the oldest first', () => {
    const ids = new RecentTraceIds(3);
    for (const k of ['a', 'b', 'c']) ids.remember(k);
    expect(['a', 'b', 'c'].map((k) => ids.has(k))).toEqual([true, true, true]);
    ids.remember('d');
    expect(ids.has('a')).toBe(false);
    expect(['b', 'c', 'd'].map((k) => ids.has(k))).toEqual([true, true, true]);
    expect(ids.size).toBe(3);
  });

  it('does not hold a key twice (remembering it again keeps one slot)', () => {
    const ids = new RecentTraceIds(2);
    ids.remember('a');
    ids.remember('a');
    ids.remember('b');
    expect(ids.has('a')).toBe(true);
    expect(ids.size).toBe(2);
  });

  it('remembers nothing at capacity 0', () => {
    const ids = new RecentTraceIds(0);
    ids.remember('a');
    expect(ids.has('a')).toBe(false);
    expect(ids.size).toBe(0);
  });

  it('rejects a negative or fractional capacity', () => {
    expect(() => new RecentTraceIds(-1)).toThrow(RangeError);
    expect(() => new RecentTraceIds(1.5)).toThrow(RangeError);
  });
});
