import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, InvalidDurationError, parseDuration, tryParseDuration } from '../../src/config/duration';

describe('parseDuration', () => {
  it.each([
    ['300ms', 300],
    ['10s', 10_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['0.1h', 360_000],
    ['30d', 2_592_000_000],
    ['2w', 1_209_600_000],
    ['1m1h', 3_660_000],
    ['1s500ms', 1_500],
    ['0', 0],
    ['0s', 0],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['', 'empty; use a number followed by a unit (ms, s, m, h, d, w), e.g. 300ms, 10s, 5m, 1h30m, 30d or 2w'],
    ['10', '"10" has no unit; use a number followed by a unit (ms, s, m, h, d, w), e.g. 300ms, 10s, 5m, 1h30m, 30d or 2w'],
    ['10 seconds', 'spaces are not allowed; use a number followed by a unit (ms, s, m, h, d, w), e.g. 300ms, 10s, 5m, 1h30m, 30d or 2w'],
    ['1h30', '"30" has no unit; use a number followed by a unit (ms, s, m, h, d, w), e.g. 300ms, 10s, 5m, 1h30m, 30d or 2w'],
    ['5y', 'unknown unit "y"; use a number followed by a unit (ms, s, m, h, d, w), e.g. 300ms, 10s, 5m, 1h30m, 30d or 2w'],
    ['100us', 'unknown unit "us"; use a number followed by a unit (ms, s, m, h, d, w), e.g. 300ms, 10s, 5m, 1h30m, 30d or 2w'],
    ['1h 30m', 'cannot read " 30m"; use a number followed by a unit (ms, s, m, h, d, w), e.g. 300ms, 10s, 5m, 1h30m, 30d or 2w'],
    ['-5m', 'durations cannot be negative'],
    ['1.5ms', '"1.5ms" is not a whole number of milliseconds'],
    [' 5m', 'cannot read " 5m"; use a number followed by a unit (ms, s, m, h, d, w), e.g. 300ms, 10s, 5m, 1h30m, 30d or 2w'],
  ])('rejects %j: %s', (text, reason) => {
    expect(tryParseDuration(text)).toEqual({ ok: false, reason });
    expect(() => parseDuration(text)).toThrow(InvalidDurationError);
    expect(() => parseDuration(text)).toThrow(`invalid duration "${text}": ${reason}`);
  });

  it('formatDuration writes the largest units first and parses back', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(2_592_000_000)).toBe('30d');
    expect(formatDuration(1_500)).toBe('1s500ms');
    expect(formatDuration(0)).toBe('0s');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * 86_400_000 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });
});
