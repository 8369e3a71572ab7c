import { describe, expect, it } from 'vitest';
import { parseReportPeriod, parseReportTime, ReportPeriodError } from '../../src/report/report-period-args';

const NOW = Date.UTC(2024, 5, 1, 12);
const DAY = 86_400_000;

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ReportPeriodError);
    return (error as Error).message;
  }
  throw new Error('expected a ReportPeriodError');
}

describe('parseReportPeriod', () => {
  it('defaults to the 30 days ending now', () => {
    expect(parseReportPeriod({}, NOW)).toEqual({ fromMs: NOW - 30 * DAY, toMs: NOW, label: '30d' });
  });

  it('reads --period as a duration ending now', () => {
    expect(parseReportPeriod({ period: '7d12h' }, NOW)).toEqual({ fromMs: NOW - 7.5 * DAY, toMs: NOW, label: '7d12h' });
  });

  it('reads --from and --to as [from, to), a date being UTC midnight', () => {
    expect(parseReportPeriod({ from: '2024-05-01', to: '2024-06-01' }, NOW)).toEqual({
      fromMs: Date.UTC(2024, 4, 1),
      toMs: Date.UTC(2024, 5, 1),
      label: '2024-05-01 to 2024-06-01',
    });
  });

  it('ends a --from without --to now', () => {
    expect(parseReportPeriod({ from: '2024-05-31T12:00:00Z' }, NOW)).toEqual({ fromMs: NOW - DAY, toMs: NOW, label: '2024-05-31T12:00:00Z to now' });
  });

  it('names the flag and what is valid', () => {
    expect(errorOf(() => parseReportPeriod({ period: '30 days' }, NOW))).toMatch(/^--period "30 days": spaces are not allowed/);
    expect(errorOf(() => parseReportPeriod({ period: '0' }, NOW))).toMatch(/^--period "0": must be longer than 0/);
    expect(errorOf(() => parseReportPeriod({ from: 'yesterday' }, NOW))).toBe(
      '--from "yesterday": expected RFC 3339 (2024-05-01T00:00:00Z, 2024-05-01T02:00:00+02:00) or a UTC date (2024-05-01)',
    );
    expect(errorOf(() => parseReportPeriod({ from: '2024-05-01', to: '2024-02-30' }, NOW))).toMatch(/^--to "2024-02-30": expected RFC 3339/);
    expect(errorOf(() => parseReportPeriod({ to: '2024-05-01' }, NOW))).toMatch(/^--to needs --from/);
    expect(errorOf(() => parseReportPeriod({ period: '7d', from: '2024-05-01' }, NOW))).toMatch(/^--period cannot be combined with --from\/--to/);
    expect(errorOf(() => parseReportPeriod({ from: '2024-05-02', to: '2024-05-01' }, NOW))).toMatch(/^--to must be after --from/);
  });
});

describe('parseReportTime', () => {
  it('reads RFC 3339 with an offset, fractions and a lower-case separator', () => {
    expect(parseReportTime('--from', '2024-05-01T02:00:00+02:00')).toBe(Date.UTC(2024, 4, 1));
    expect(parseReportTime('--from', '2024-05-01t00:00:00.250z')).toBe(Date.UTC(2024, 4, 1) + 250);
  });

  it('rejects impossible dates and times rather than rolling them over', () => {
    for (const text of ['2024-13-01', '2023-02-29', '2024-05-01T24:00:00Z', '2024-05-01T12:00:60Z', '2024-05-01T12:00:00', '2024-5-1']) {
      expect(() => parseReportTime('--from', text), text).toThrow(ReportPeriodError);
    }
    expect(parseReportTime('--from', '2024-02-29')).toBe(Date.UTC(2024, 1, 29));
  });
});
