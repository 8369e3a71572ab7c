import { describe, expect, it } from 'vitest';
import { RecentEvents } from '../../src/regression/recent-events';

describe('RecentEvents', () => {
  it('keeps the last capacity events, oldest first', () => {
    const ring = new RecentEvents<number>(3);
    expect(ring.toArray()).toEqual([]);
    ring.push(1);
    ring.push(2);
    expect(ring.toArray()).toEqual([1, 2]);
    for (let i = 3; i <= 10; i++) ring.push(i);
    expect(ring.toArray()).toEqual([8, 9, 10]);
  });

  it('refuses a capacity below 1', () => {
    expect(() => new RecentEvents(0)).toThrow(RangeError);
  });
});
