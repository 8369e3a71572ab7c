import { describe, expect, it } from 'vitest';
import { formatDurationSeconds, formatFactor, formatPercent, formatSignalValue } from '../../src/alerts/alert-text';

describe('alert text formats', () => {
  it.each([
    [14.4, '14.4×'],
    [1, '1×'],
    [0.955, '0.95×'],
    [200, '200×'],
    [1234.6, '1235×'],
    [Infinity, '∞×'],
    [NaN, 'n/a'],
  ])('formatFactor(%s) = %s', (value, text) => expect(formatFactor(value)).toBe(text));

  it.each([
    [0.975, '97.5%'],
    [1, '100%'],
    [-0.2, '-20%'],
    [0.99999, '100%'],
    [0.12345, '12.35%'],
  ])('formatPercent(%s) = %s', (value, text) => expect(formatPercent(value)).toBe(text));

  it.each([
    [0.5, 'now'],
    [30, '30s'],
    [45 * 60, '45m'],
    [3_900, '1h 5m'],
    [86_400, '1d'],
    [86_400 + 3 * 3_600 + 59, '1d 3h'],
    [86_400 + 59, '1d'],
    [Infinity, 'never'],
  ])('formatDurationSeconds(%s) = %s', (value, text) => expect(formatDurationSeconds(value)).toBe(text));

  it('formats signal values in their unit', () => {
    expect(formatSignalValue(412.4, 'ms')).toBe('412 ms');
    expect(formatSignalValue(12.34, 'spans/s')).toBe('12.3 spans/s');
    expect(formatSignalValue(0.03141, 'ratio')).toBe('0.0314');
    expect(formatSignalValue(null, 'ms')).toBe('none');
  });
});
