import { describe, expect, it } from 'vitest';
import { formatTimestamp, parseHistoryTime } from '../../src/ci/history-time';

describe('parseHistoryTime', () => {
  it.each([
    ['2024-01-31T12:00:00Z', Date.UTC(2024, 0, 31, 12)],
    ['2024-01-31T12:00:00.250Z', Date.UTC(2024, 0, 31, 12, 0, 0, 250)],
    ['2024-01-31 12:00:00+01:00', Date.UTC(2024, 0, 31, 11)],
    ['2024-01-31T12:00-0530', Date.UTC(2024, 0, 31, 17, 30)],
    ['2024-01-31', Date.UTC(2024, 0, 31)],
    ['2024-01-31T12:00:00', Date.UTC(2024, 0, 31, 12)],
    ['2024.01.01 3:00:00 +0100', Date.UTC(2024, 0, 1, 2)],
    ['2024/02/29 23:59:59 UTC', Date.UTC(2024, 1, 29, 23, 59, 59)],
    ['1709287200', 1709287200_000],
    ['1709287200.5', 1709287200_500],
    ['1709287200000', 1709287200_000],
    ['  2024-01-31  ', Date.UTC(2024, 0, 31)],
  ])('reads %s', (text, expected) => {
    expect(parseHistoryTime(text)).toBe(expected);
  });

  it.each(['', 'yesterday', '2024-13-01', '2023-02-29', '2024-01-31T24:00:00Z', '2024-01-31T12:00:00+25:00', '2024-01-31x', '-5', '2024-1-31-1', '12ms'])(
    'refuses %j',
    (text) => {
      expect(parseHistoryTime(text)).toBeUndefined();
    },
  );
});

describe('formatTimestamp', () => {
  it('prints UTC ISO 8601, with milliseconds only when there are some', () => {
    expect(formatTimestamp(Date.UTC(2024, 0, 7, 2))).toBe('2024-01-07T02:00:00Z');
    expect(formatTimestamp(Date.UTC(2024, 0, 7, 2, 0, 0, 5))).toBe('2024-01-07T02:00:00.005Z');
  });
});
