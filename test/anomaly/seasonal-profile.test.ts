import { describe, expect, it } from 'vitest';
import { SeasonalProfile } from '../../src/anomaly/seasonal-profile';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('SeasonalProfile', () => {
  it('takes a slot’s first value as it is and interpolates between slot centres', () => {
    const p = new SeasonalProfile(DAY, 24, 3);
    expect(p.bytes).toBe(24 * 8);
    p.update(0.5 * HOUR, 10, 60_000, 1, 1); // slot 0, centre 00:30
    p.update(1.5 * HOUR, 20, 60_000, 1, 1); // slot 1, centre 01:30
    expect(p.valueAt(0.5 * HOUR)).toBeCloseTo(10, 6);
    expect(p.valueAt(1 * HOUR)).toBeCloseTo(15, 6);
    expect(p.valueAt(1.5 * HOUR)).toBeCloseTo(20, 6);
    // A neighbour never learned does not pull the value toward 0; nothing learned reads 0.
    expect(p.valueAt(2 * HOUR)).toBeCloseTo(20, 6);
    expect(p.valueAt(12 * HOUR)).toBe(0);
    // Periodic: the next day reads the same.
    expect(p.valueAt(DAY + HOUR)).toBeCloseTo(15, 6);
  });

  it('clips later steps and forgets with a memory of about `memoryPeriods` visits', () => {
    const p = new SeasonalProfile(DAY, 24, 3);
    p.update(0, 0, 60_000, 1, 1);
    p.update(60_000, 100, 60_000, 1, 1); // clipped to a step of 1 at most
    expect(p.valueAt(0.5 * HOUR)).toBeLessThanOrEqual(1);
    const q = new SeasonalProfile(DAY, 24, 3);
    // Five days of one value per minute at 10, then five days at 20, in slot 0 only.
    for (let d = 0; d < 10; d++) for (let m = 0; m < 60; m++) q.update(d * DAY + m * 60_000, d < 5 ? 10 : 20, m === 0 ? DAY - HOUR : 60_000, 1, 100);
    expect(q.valueAt(0.5 * HOUR)).toBeGreaterThan(19);
  });

  it('keeps a mean that shift() moves', () => {
    const p = new SeasonalProfile(DAY, 4, 3);
    p.update(0, 4, 60_000, 1, 1);
    p.update(6 * HOUR, 8, 60_000, 1, 1);
    expect(p.mean()).toBe(6);
    p.shift(-6);
    expect(p.mean()).toBe(0);
  });
});
