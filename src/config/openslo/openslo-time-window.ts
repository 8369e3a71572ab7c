import { isValidTimeZone } from '../../slo/calendar';
import { DAY_MS, HOUR_MS } from '../../slo/durations';
import type { CalendarUnit, PeriodSpec } from '../../slo/objective';
import { parseDurationShorthand, shorthandMs, SHORTHAND_RULE } from './openslo-duration';
import type { DurationShorthand } from './openslo-duration';
import type { OpenSloField } from './openslo-field';

/**
 * `spec.timeWindow` of an OpenSLO SLO → slowatch's SLO period.
 *
 * - Rolling (`isRolling: true`, or no `calendar`): the duration must have a
 *   fixed length (m, h, d, w) within the rolling windows slowatch keeps:
 *   1d to 90d in whole hours, the bounds `processors.slo` puts on `window`.
 *   M, Q and Y have no fixed length and are refused rather than guessed.
 * - Calendar-aligned (`isRolling: false`, or a `calendar` without
 *   `isRolling`): `1w` is the ISO week (Monday 00:00), `1M` the month (the
 *   1st, 00:00), in `calendar.timeZone` (default UTC). `calendar.startTime`,
 *   when given, must be such a boundary in that zone, since slowatch's
 *   periods always start on one; quarters, years and multiples are refused.
 */

/** Rolling bounds of processors/slo/config.ts (rollingWindowSchema); a test keeps the two in step. */
export function isSupportedRollingMs(ms: number): boolean {
  return ms >= DAY_MS && ms <= 90 * DAY_MS && ms % HOUR_MS === 0;
}

const ROLLING_RULE = 'slowatch keeps rolling windows from 1d to 90d in whole hours (e.g. 28d, 4w)';
const CALENDAR_RULE = 'slowatch\'s calendar windows are one week (1w) or one month (1M)';

/** @returns the period, the default when `timeWindow` is absent, or undefined after reporting a problem. */
export function mapTimeWindow(timeWindow: OpenSloField, defaultPeriod: PeriodSpec): PeriodSpec | undefined {
  if (timeWindow.isAbsent) return defaultPeriod;
  const items = timeWindow.items('a list with exactly one time window');
  if (items === undefined) return undefined;
  const [window] = items;
  if (items.length !== 1 || window === undefined) return timeWindow.fail(`must list exactly one time window, got ${items.length}`);
  if (window.mapping('a mapping with duration and isRolling, or duration and calendar', true) === undefined) return undefined;

  const isRolling = window.get('isRolling').boolean();
  const calendar = window.get('calendar');
  const rolling = isRolling ?? calendar.isAbsent;
  const durationField = window.get('duration');
  const text = durationField.string(SHORTHAND_RULE, true);
  if (text === undefined) return undefined;
  const parsed = parseDurationShorthand(text);
  if (!parsed.ok) return durationField.fail(`must be ${SHORTHAND_RULE}, got ${JSON.stringify(text)}: ${parsed.reason}`);

  if (rolling) {
    if (!calendar.isAbsent) return calendar.fail('a rolling time window (isRolling: true) has no calendar; remove calendar or set isRolling: false');
    const ms = shorthandMs(parsed.value);
    if (ms === undefined) {
      return durationField.fail(
        `a rolling window needs a fixed length, and months, quarters and years vary; write days or weeks (e.g. 30d, 4w), or use a calendar window, got ${JSON.stringify(text)}`,
      );
    }
    if (!isSupportedRollingMs(ms)) return durationField.fail(`${ROLLING_RULE}, got ${JSON.stringify(text)}`);
    return { kind: 'rolling', durationMs: ms };
  }

  const unit = calendarUnit(parsed.value);
  if (unit === undefined) {
    const hint = parsed.value.unit === 'm' ? ' ("m" is minutes; months are "M")' : '';
    return durationField.fail(`${CALENDAR_RULE}, got ${JSON.stringify(text)}${hint}`);
  }
  if (calendar.mapping('a mapping with startTime and timeZone') === undefined && !calendar.isAbsent) return undefined;
  const zoneField = calendar.get('timeZone');
  const timeZone = zoneField.string('an IANA time zone such as UTC or America/New_York') ?? (zoneField.isAbsent ? 'UTC' : undefined);
  if (timeZone === undefined) return undefined;
  if (!isValidTimeZone(timeZone)) return zoneField.fail(`must be an IANA time zone this runtime knows, such as UTC or America/New_York, got ${JSON.stringify(timeZone)}`);
  if (!checkStartTime(calendar.get('startTime'), unit)) return undefined;
  return { kind: 'calendar', unit, timeZone };
}

function calendarUnit(duration: DurationShorthand): CalendarUnit | undefined {
  if (duration.count !== 1) return undefined;
  if (duration.unit === 'w') return 'week';
  if (duration.unit === 'M') return 'month';
  return undefined;
}

const START_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2}))?$/;
const START_TIME_RULE = 'a local date and time "YYYY-MM-DD hh:mm:ss"';

/**
 * startTime is a wall-clock time in the window's zone (OpenSLO: "format
 * without time zone"), so the boundary check reads its fields directly.
 */
function checkStartTime(field: OpenSloField, unit: CalendarUnit): boolean {
  if (field.isAbsent) return true;
  const text = field.string(START_TIME_RULE);
  if (text === undefined) return false;
  const match = START_TIME.exec(text);
  if (match === null) return field.fail(`must be ${START_TIME_RULE}, got ${JSON.stringify(text)}`) ?? false;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  if (month < 1 || month > 12 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    return field.fail(`must be ${START_TIME_RULE} that exists, got ${JSON.stringify(text)}`) ?? false;
  }
  const midnight = hour === 0 && minute === 0 && second === 0;
  if (unit === 'month' && !(midnight && day === 1)) {
    return field.fail(`slowatch's calendar months start at 00:00:00 on the 1st (in calendar.timeZone); startTime must be such a moment, got ${JSON.stringify(text)}`) ?? false;
  }
  // getUTCDay(): Sunday = 0, Monday = 1.
  if (unit === 'week' && !(midnight && date.getUTCDay() === 1)) {
    return field.fail(`slowatch's calendar weeks start at 00:00:00 on Monday (ISO weeks, in calendar.timeZone); startTime must be such a moment, got ${JSON.stringify(text)}`) ?? false;
  }
  return true;
}
