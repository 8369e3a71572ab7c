import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { calendarPeriod, isValidTimeZone } from '../../src/slo/calendar';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../src/slo/durations';

const iso = (ms: number): string => new Date(ms).toISOString();

function localParts(ms: number, timeZone: string): { weekday: string; day: number; hour: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    weekday: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  }).formatToParts(ms);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return { weekday: get('weekday'), day: Number(get('day')), hour: Number(get('hour')), minute: Number(get('minute')) };
}

describe('calendarPeriod', () => {
  it('months in UTC', () => {
    const p = calendarPeriod(Date.UTC(2025, 1, 14, 12), 'month', 'UTC');
    expect(iso(p.startMs)).toBe('2025-02-01T00:00:00.000Z');
    expect(iso(p.endMs)).toBe('2025-03-01T00:00:00.000Z');
    const dec = calendarPeriod(Date.UTC(2024, 11, 31, 23, 59, 59, 999), 'month', 'UTC');
    expect(iso(dec.startMs)).toBe('2024-12-01T00:00:00.000Z');
    expect(iso(dec.endMs)).toBe('2025-01-01T00:00:00.000Z');
    const leap = calendarPeriod(Date.UTC(2024, 1, 29), 'month', 'UTC');
    expect(leap.endMs - leap.startMs).toBe(29 * DAY_MS);
  });

  it('ISO weeks start on Monday 00:00', () => {
    // 2025-01-01 is a Wednesday.
    const p = calendarPeriod(Date.UTC(2025, 0, 1, 8), 'week', 'UTC');
    expect(iso(p.startMs)).toBe('2024-12-30T00:00:00.000Z');
    expect(iso(p.endMs)).toBe('2025-01-06T00:00:00.000Z');
    // Sunday 23:59:59 is still the same week; Monday 00:00 starts the next.
    expect(calendarPeriod(Date.UTC(2025, 0, 5, 23, 59, 59), 'week', 'UTC').startMs).toBe(p.startMs);
    expect(calendarPeriod(Date.UTC(2025, 0, 6), 'week', 'UTC').startMs).toBe(p.endMs);
  });

  it('follows DST in Europe/Berlin (March is 31 days minus one hour, October plus one)', () => {
    const march = calendarPeriod(Date.UTC(2025, 2, 15), 'month', 'Europe/Berlin');
    expect(iso(march.startMs)).toBe('2025-02-28T23:00:00.000Z');
    expect(iso(march.endMs)).toBe('2025-03-31T22:00:00.000Z');
    expect(march.endMs - march.startMs).toBe(31 * DAY_MS - HOUR_MS);
    const october = calendarPeriod(Date.UTC(2025, 9, 15), 'month', 'Europe/Berlin');
    expect(october.endMs - october.startMs).toBe(31 * DAY_MS + HOUR_MS);
    // The week of the spring change: Monday 24 March 2025 00:00 CET = 23:00Z Sunday.
    const week = calendarPeriod(Date.UTC(2025, 2, 30, 12), 'week', 'Europe/Berlin');
    expect(iso(week.startMs)).toBe('2025-03-23T23:00:00.000Z');
    expect(week.endMs - week.startMs).toBe(7 * DAY_MS - HOUR_MS);
  });

  it('handles half- and quarter-hour offsets (Asia/Kolkata +05:30, Asia/Kathmandu +05:45)', () => {
    const kolkata = calendarPeriod(Date.UTC(2025, 1, 10), 'month', 'Asia/Kolkata');
    expect(iso(kolkata.startMs)).toBe('2025-01-31T18:30:00.000Z');
    expect(iso(kolkata.endMs)).toBe('2025-02-28T18:30:00.000Z');
    const kathmandu = calendarPeriod(Date.UTC(2025, 1, 10), 'week', 'Asia/Kathmandu');
    // Monday 10 Feb 2025 00:00 +05:45
    expect(iso(kathmandu.startMs)).toBe('2025-02-09T18:15:00.000Z');
    expect(kathmandu.endMs - kathmandu.startMs).toBe(7 * DAY_MS);
  });

  it('starts the period at the jump when DST skips midnight', () => {
    // Asia/Damascus, 1 April 1999: 00:00 +02 became 01:00 +03.
    const april = calendarPeriod(Date.UTC(1999, 3, 10), 'month', 'Asia/Damascus');
    expect(iso(april.startMs)).toBe('1999-03-31T22:00:00.000Z');
    expect(localParts(april.startMs, 'Asia/Damascus')).toMatchObject({ day: 1, hour: 1, minute: 0 });
    // Africa/Casablanca, Monday 1 June 2009: 00:00 +00 became 01:00 +01 (month and week).
    const june = calendarPeriod(Date.UTC(2009, 5, 3), 'month', 'Africa/Casablanca');
    expect(iso(june.startMs)).toBe('2009-06-01T00:00:00.000Z');
    expect(calendarPeriod(Date.UTC(2009, 5, 3), 'week', 'Africa/Casablanca').startMs).toBe(june.startMs);
    // The previous period ends exactly where this one starts.
    expect(calendarPeriod(june.startMs - 1, 'month', 'Africa/Casablanca').endMs).toBe(june.startMs);
  });

  it('takes the earlier midnight when DST repeats it', () => {
    // Africa/Tunis, 1 October 1978: 01:00 +02 fell back to 00:00 +01, so 00:00 happened twice.
    const october = calendarPeriod(Date.UTC(1978, 9, 10), 'month', 'Africa/Tunis');
    expect(iso(october.startMs)).toBe('1978-09-30T22:00:00.000Z');
  });

  it('copes with a skipped day (Pacific/Apia, 30 December 2011)', () => {
    const december = calendarPeriod(Date.UTC(2011, 11, 15), 'month', 'Pacific/Apia');
    expect(december.endMs - december.startMs).toBe(30 * DAY_MS);
    const week = calendarPeriod(Date.UTC(2011, 11, 28), 'week', 'Pacific/Apia');
    expect(week.endMs - week.startMs).toBe(6 * DAY_MS);
  });

  it('rejects bad input', () => {
    expect(() => calendarPeriod(0, 'month', 'Not/AZone')).toThrow(RangeError);
    expect(() => calendarPeriod(NaN, 'month', 'UTC')).toThrow(RangeError);
    expect(() => calendarPeriod(-1, 'week', 'UTC')).toThrow(RangeError);
  });

  const zones = [
    'UTC',
    'Europe/Berlin',
    'Asia/Kolkata',
    'Asia/Kathmandu',
    'America/New_York',
    'America/St_Johns',
    'America/Santiago',
    'America/Sao_Paulo',
    'Australia/Lord_Howe',
    'Pacific/Chatham',
    'Asia/Damascus',
    'Africa/Casablanca',
  ];

  it('property: the period contains the time, starts at local midnight (or a DST jump) on the 1st / a Monday, and tiles', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1975, 0, 1), max: Date.UTC(2040, 0, 1) }),
        fc.constantFrom(...zones),
        fc.constantFrom<'week' | 'month'>('week', 'month'),
        (t, zone, unit) => {
          const p = calendarPeriod(t, unit, zone);
          expect(p.startMs).toBeLessThanOrEqual(t);
          expect(p.endMs).toBeGreaterThan(t);
          const lengthDays = (p.endMs - p.startMs) / DAY_MS;
          if (unit === 'week') {
            expect(lengthDays).toBeGreaterThanOrEqual(7 - 2 / 24);
            expect(lengthDays).toBeLessThanOrEqual(7 + 2 / 24);
          } else {
            expect(lengthDays).toBeGreaterThanOrEqual(28 - 2 / 24);
            expect(lengthDays).toBeLessThanOrEqual(31 + 2 / 24);
          }
          const start = localParts(p.startMs, zone);
          if (unit === 'week') expect(start.weekday).toBe('Mon');
          else expect(start.day).toBe(1);
          // Midnight, or the first minute after a DST jump over midnight (at most 2 h here).
          expect(start.hour * 60 + start.minute).toBeLessThanOrEqual(120);
          const justBefore = localParts(p.startMs - MINUTE_MS, zone);
          if (unit === 'month') expect(justBefore.day).not.toBe(1);
          else expect(justBefore.weekday).toBe('Sun');
          // Neighbouring periods tile without gap or overlap.
          expect(calendarPeriod(p.startMs, unit, zone)).toEqual(p);
          expect(calendarPeriod(p.endMs - 1, unit, zone)).toEqual(p);
          expect(calendarPeriod(p.endMs, unit, zone).startMs).toBe(p.endMs);
          expect(calendarPeriod(p.startMs - 1, unit, zone).endMs).toBe(p.startMs);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('isValidTimeZone', () => {
  it('accepts IANA names and aliases, rejects the rest', () => {
    for (const z of ['UTC', 'Etc/UTC', 'Europe/Berlin', 'Asia/Kolkata', 'Asia/Calcutta', 'Asia/Kathmandu']) {
      expect(isValidTimeZone(z)).toBe(true);
    }
    for (const z of ['', 'Mars/Olympus_Mons', 'Europe/Berlinn', 'not a zone']) {
      expect(isValidTimeZone(z)).toBe(false);
    }
  });

  it('keeps working past the formatter cache bound', () => {
    const all = Intl.supportedValuesOf('timeZone').slice(0, 100);
    for (const z of all) expect(isValidTimeZone(z)).toBe(true);
    expect(calendarPeriod(Date.UTC(2025, 0, 15), 'month', 'Asia/Kolkata').startMs).toBe(Date.UTC(2024, 11, 31, 18, 30));
  });
});
