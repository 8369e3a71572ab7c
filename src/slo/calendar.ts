import type { CalendarUnit } from './objective';
import { DAY_MS, MAX_TIME_MS, SECOND_MS } from './durations';

/** A half-open interval `[startMs, endMs)` of epoch milliseconds. */
export interface CalendarPeriodBounds {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * Formatters are expensive to build (ICU loads zone data), so one is kept per
 * time zone. The map is bounded: a config normally names a handful of zones,
 * and a bad input stream cannot grow it without limit.
 * @default 64 zones
 */
const MAX_CACHED_ZONES = 64;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  const cached = formatters.get(timeZone);
  if (cached !== undefined) return cached;
  // Throws RangeError for an unknown zone; nothing is cached then.
  const created = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    era: 'short',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  if (formatters.size >= MAX_CACHED_ZONES) {
    // Evict the oldest entry (Map iterates in insertion order).
    const oldest = formatters.keys().next();
    if (oldest.done !== true) formatters.delete(oldest.value);
  }
  formatters.set(timeZone, created);
  return created;
}

/** True when `timeZone` is an IANA zone name (or alias) this runtime's Intl knows. */
export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone.length === 0) return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Epoch ms of a UTC wall-clock date; `Date.UTC` alone maps years 0..99 to 1900+. */
function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(Date.UTC(2000, 0, 1, hour, minute, second));
  d.setUTCFullYear(year, month - 1, day);
  return d.getTime();
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Local wall-clock fields of instant `t` in the formatter's zone. */
function wallClock(dtf: Intl.DateTimeFormat, t: number): WallClock {
  const wall: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  let bce = false;
  for (const part of dtf.formatToParts(t)) {
    switch (part.type) {
      case 'year':
        wall.year = Number(part.value);
        break;
      case 'month':
        wall.month = Number(part.value);
        break;
      case 'day':
        wall.day = Number(part.value);
        break;
      case 'hour':
        wall.hour = Number(part.value);
        break;
      case 'minute':
        wall.minute = Number(part.value);
        break;
      case 'second':
        wall.second = Number(part.value);
        break;
      case 'era':
        bce = part.value.startsWith('B');
        break;
      default:
        break;
    }
  }
  if (bce) wall.year = 1 - wall.year;
  return wall;
}

/** The wall clock of `t` read as if it were UTC, in epoch ms (whole seconds). */
function wallMs(dtf: Intl.DateTimeFormat, t: number): number {
  const w = wallClock(dtf, t);
  return utcMs(w.year, w.month, w.day, w.hour, w.minute, w.second);
}

/** UTC offset in ms in force at instant `t` (local = utc + offset). */
function offsetAt(dtf: Intl.DateTimeFormat, t: number): number {
  const wholeSecond = Math.floor(t / SECOND_MS) * SECOND_MS;
  return wallMs(dtf, wholeSecond) - wholeSecond;
}

/**
 * The first instant whose local wall clock is at or after local midnight of
 * the given date: that midnight itself, or, when a DST change skips midnight
 * (e.g. Asia/Damascus on 1 April 1999, 00:00 → 01:00), the moment of the jump.
 *
 * Same approach as Temporal's "earlier" disambiguation: try the offsets in
 * force a day before and a day after (no zone changes offset twice within
 * two days); a candidate `wall − offset` is valid when that offset is really
 * in force at it. When neither is valid the wall time falls into a gap, found
 * by bisection to the second (zone transitions are at whole seconds).
 */
function startOfLocalDay(dtf: Intl.DateTimeFormat, year: number, month: number, day: number): number {
  const wall = utcMs(year, month, day);
  const offsetBefore = offsetAt(dtf, wall - DAY_MS);
  const offsetAfter = offsetAt(dtf, wall + DAY_MS);
  let best = Infinity;
  for (const offset of [offsetBefore, offsetAfter]) {
    const candidate = wall - offset;
    if (offsetAt(dtf, candidate) === offset && candidate < best) best = candidate;
  }
  if (best !== Infinity) return best;
  // Gap: wall(lo) < wall <= wall(hi); bisect for the first instant with wall clock >= wall.
  let lo = wall - Math.max(offsetBefore, offsetAfter);
  let hi = wall - Math.min(offsetBefore, offsetAfter);
  while (hi - lo > SECOND_MS) {
    const mid = lo + Math.floor((hi - lo) / (2 * SECOND_MS)) * SECOND_MS;
    if (wallMs(dtf, mid) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Adds `days` to a civil date, returning [year, month, day]. */
function addDays(year: number, month: number, day: number, days: number): [number, number, number] {
  const d = new Date(utcMs(year, month, day) + days * DAY_MS);
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
}

/** Bounds computed from the local date only (may miss `t` inside a fold at midnight). */
function periodOfLocalDate(
  dtf: Intl.DateTimeFormat,
  unit: CalendarUnit,
  year: number,
  month: number,
  day: number,
): CalendarPeriodBounds {
  if (unit === 'month') {
    const nextYear = month === 12 ? year + 1 : year;
    const nextMonth = month === 12 ? 1 : month + 1;
    return { startMs: startOfLocalDay(dtf, year, month, 1), endMs: startOfLocalDay(dtf, nextYear, nextMonth, 1) };
  }
  // ISO 8601 week: Monday is day 1. getUTCDay(): Sunday = 0 .. Saturday = 6.
  const weekday = new Date(utcMs(year, month, day)).getUTCDay();
  const [sy, sm, sd] = addDays(year, month, day, -((weekday + 6) % 7));
  const [ey, em, ed] = addDays(sy, sm, sd, 7);
  return { startMs: startOfLocalDay(dtf, sy, sm, sd), endMs: startOfLocalDay(dtf, ey, em, ed) };
}

/**
 * The calendar period containing `timeMs` in `timeZone`: the ISO week
 * (Monday 00:00 to the next Monday 00:00) or the month (the 1st 00:00 to the
 * next 1st 00:00), as the half-open interval `[startMs, endMs)`.
 *
 * Local midnight is converted to an instant with `Intl.DateTimeFormat`, so
 * the result is right across DST changes (a March period in Europe/Berlin is
 * 31 days minus one hour) and for zones with fractional offsets such as
 * Asia/Kolkata (+05:30) or Asia/Kathmandu (+05:45). When a DST change skips
 * midnight, the period starts at the jump. Always `startMs <= timeMs < endMs`.
 *
 * Not for the hot path: it allocates; callers cache the bounds and call again
 * only once time leaves them.
 *
 * @throws RangeError for an unknown time zone or a time outside [0, MAX_TIME_MS].
 */
export function calendarPeriod(timeMs: number, unit: CalendarUnit, timeZone: string): CalendarPeriodBounds {
  if (!(timeMs >= 0 && timeMs <= MAX_TIME_MS)) {
    throw new RangeError(`calendarPeriod: time must be within [0, ${MAX_TIME_MS}], got ${timeMs}`);
  }
  if (unit !== 'week' && unit !== 'month') {
    throw new RangeError(`calendarPeriod: unit must be 'week' or 'month', got ${String(unit)}`);
  }
  const dtf = formatterFor(timeZone);
  const local = wallClock(dtf, timeMs);
  let bounds = periodOfLocalDate(dtf, unit, local.year, local.month, local.day);
  // A DST fold at midnight (clocks go back from 00:00 to 23:00) makes a few
  // instants after the period start still read as the previous day; step to
  // the neighbouring period so the result always contains timeMs.
  for (let guard = 0; guard < 2 && timeMs >= bounds.endMs; guard++) {
    const next = wallClock(dtf, bounds.endMs);
    bounds = periodOfLocalDate(dtf, unit, next.year, next.month, next.day);
  }
  for (let guard = 0; guard < 2 && timeMs < bounds.startMs; guard++) {
    const prev = wallClock(dtf, bounds.startMs - SECOND_MS);
    bounds = periodOfLocalDate(dtf, unit, prev.year, prev.month, prev.day);
  }
  return bounds;
}
