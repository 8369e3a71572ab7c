/**
 * Times of benchmark history rows, parsed without the machine's time zone or
 * clock: a history must mean the same thing on every CI runner.
 *
 * Accepted:
 * - epoch numbers: seconds, or milliseconds from 1e11 up (1e11 s would be
 *   the year 5138, so the two ranges do not overlap for real histories);
 * - ISO 8601 dates and date-times, `2024-01-31`, `2024-01-31T12:00:00Z`,
 *   `2024-01-31 12:00:00.5+01:00`;
 * - the same with `.` or `/` between the date parts and a one-digit hour or a
 *   `+0100` offset, as Otava's sample histories have (`2024.01.01 3:00:00 +0100`).
 * A date-time without an offset is UTC.
 */
const EPOCH_PATTERN = /^\d+(?:\.\d+)?$/;
const DATE_TIME_PATTERN =
  /^(\d{4})([-./])(\d{1,2})\2(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;
/** Epoch values at or above this are milliseconds, below are seconds. */
const EPOCH_MILLISECONDS_FROM = 1e11;

/** What a person is told a time may look like. */
export const TIME_FORMATS_HINT = 'ISO 8601 like 2024-01-31T12:00:00Z, "2024.01.31 12:00:00 +0100", or epoch seconds/milliseconds';

/** Milliseconds since the epoch, or undefined when `text` is none of the accepted forms. */
export function parseHistoryTime(text: string): number | undefined {
  const trimmed = text.trim();
  if (EPOCH_PATTERN.test(trimmed)) {
    const value = Number(trimmed);
    return value >= EPOCH_MILLISECONDS_FROM ? value : value * 1000;
  }
  const match = DATE_TIME_PATTERN.exec(trimmed);
  if (match === null) return undefined;
  const [, yearText, , monthText, dayText, hourText, minuteText, secondText, fractionText, zoneText] = match;
  const year = Number(yearText);
  const month = Number(monthText);
  const day = Number(dayText);
  const hour = Number(hourText ?? 0);
  const minute = Number(minuteText ?? 0);
  const second = Number(secondText ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const fractionMs = fractionText === undefined ? 0 : Number(`0.${fractionText}`) * 1000;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second) + fractionMs;
  // Date.UTC rolls 31 February over into March: refuse days the month does not have.
  if (new Date(utc).getUTCDate() !== day) return undefined;
  const offsetMinutes = zoneOffsetMinutes(zoneText);
  if (offsetMinutes === undefined) return undefined;
  return utc - offsetMinutes * 60_000;
}

/** Minutes east of UTC for `Z`, `UTC`, `+01`, `+0100`, `-05:30`; 0 when absent. */
function zoneOffsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || /^(z|utc|gmt)$/i.test(zone)) return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 23 || minutes > 59) return undefined;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

/** `2024-01-07T02:00:00Z`, with milliseconds only when there are some. */
export function formatTimestamp(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}
