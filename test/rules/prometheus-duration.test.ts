import { describe, expect, it } from 'vitest';
import { formatPrometheusDuration } from '../../src/rules/prometheus-duration';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../src/slo/durations';

describe('formatPrometheusDuration', () => {
  it('writes the largest unit that divides exactly, as Sloth labels its windows', () => {
    expect(
      [5 * MINUTE_MS, 30 * MINUTE_MS, HOUR_MS, 24 * HOUR_MS, 72 * HOUR_MS, 7 * DAY_MS, 28 * DAY_MS, 30 * DAY_MS, 90 * MINUTE_MS, 1500].map(formatPrometheusDuration),
    ).toEqual(['5m', '30m', '1h', '1d', '3d', '1w', '4w', '30d', '90m', '1500ms']);
  });

  it('refuses what is not a positive whole number of milliseconds', () => {
    expect(() => formatPrometheusDuration(0)).toThrow(RangeError);
    expect(() => formatPrometheusDuration(1.5)).toThrow(RangeError);
  });
});
