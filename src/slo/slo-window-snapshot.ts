import type { CalendarUnit } from './objective';
import type { BucketRingSnapshot } from './bucket-ring-snapshot';
import { parseBucketRingSnapshot } from './bucket-ring-snapshot';
import {
  fieldPath,
  malformed,
  readCount,
  readNullableNumber,
  readNumber,
  readRecord,
  readString,
} from './snapshot-reader';

/** The current calendar period's bounds and counts (calendar periods only). */
export interface CalendarCountsSnapshot {
  readonly unit: CalendarUnit;
  readonly timeZone: string;
  /** `[startMs, endMs)` of the period being counted; both null before the first event or read. */
  readonly startMs: number | null;
  readonly endMs: number | null;
  readonly total: number;
  readonly bad: number;
}

/** The timeslice still open (timeslices budgeting only). */
export interface OpenSliceSnapshot {
  readonly sliceMs: number;
  /** Good share a slice needs to be good, in (0, 1]. */
  readonly target: number;
  /** Start of the open slice; null before the first event or read. */
  readonly startMs: number | null;
  readonly total: number;
  readonly good: number;
}

/**
 * A `SloWindowState`'s contents as plain, structured-clone-able data: the
 * three bucket rings (C only for rolling periods), the calendar counters
 * (only for calendar periods) and the open timeslice (only for timeslices).
 * No NaN or ±Infinity sentinels: "not yet" is null, so the snapshot also
 * survives a JSON round trip of its numbers.
 *
 * Serialised size: the rings' arrays, (360 + 288 + 720) × 16 = 21 888 B for a
 * 30d rolling period (21 120 B for 28d, 10 368 B for a calendar period),
 * plus a few hundred bytes of keys and numbers.
 */
export interface SloWindowSnapshot {
  /** Ring A: 1-minute buckets × 360. */
  readonly fine: BucketRingSnapshot;
  /** Ring B: 15-minute buckets × 288. */
  readonly coarse: BucketRingSnapshot;
  /** Ring C; null for a calendar period. */
  readonly period: BucketRingSnapshot | null;
  /** null for a rolling period. */
  readonly calendar: CalendarCountsSnapshot | null;
  /** null with occurrences budgeting. */
  readonly slice: OpenSliceSnapshot | null;
}

function parseCalendar(value: unknown, path: string): CalendarCountsSnapshot {
  const record = readRecord(value, path);
  const unit = readString(record, 'unit', path);
  if (unit !== 'week' && unit !== 'month') malformed(fieldPath(path, 'unit'), "'week' or 'month'", unit);
  const timeZone = readString(record, 'timeZone', path);
  const startMs = readNullableNumber(record, 'startMs', path);
  const endMs = readNullableNumber(record, 'endMs', path);
  if ((startMs === null) !== (endMs === null) || (startMs !== null && endMs !== null && !(startMs < endMs))) {
    throw new TypeError(`${fieldPath(path, 'endMs')}: expected both bounds null, or startMs < endMs, got [${startMs}, ${endMs})`);
  }
  const total = readCount(record, 'total', path);
  const bad = readCount(record, 'bad', path);
  if (bad > total) throw new TypeError(`${fieldPath(path, 'bad')}: ${bad} bad events out of ${total}`);
  return { unit, timeZone, startMs, endMs, total, bad };
}

function parseSlice(value: unknown, path: string): OpenSliceSnapshot {
  const record = readRecord(value, path);
  const sliceMs = readNumber(record, 'sliceMs', path);
  const target = readNumber(record, 'target', path);
  const startMs = readNullableNumber(record, 'startMs', path);
  const total = readCount(record, 'total', path);
  const good = readCount(record, 'good', path);
  if (good > total) throw new TypeError(`${fieldPath(path, 'good')}: ${good} good events out of ${total}`);
  return { sliceMs, target, startMs, total, good };
}

/**
 * Checks that `value` is a well-formed `SloWindowSnapshot` and returns it
 * typed (arrays not copied). Whether it fits a given window state (same
 * period and budgeting) is `SloWindowState.stateMismatch`'s question.
 *
 * @param path where the value sits in the whole state, for messages.
 * @throws TypeError naming the first malformed field.
 */
export function parseSloWindowSnapshot(value: unknown, path: string): SloWindowSnapshot {
  const record = readRecord(value, path);
  const fine = parseBucketRingSnapshot(record.fine, fieldPath(path, 'fine'));
  const coarse = parseBucketRingSnapshot(record.coarse, fieldPath(path, 'coarse'));
  const period = record.period === null ? null : parseBucketRingSnapshot(record.period, fieldPath(path, 'period'));
  const calendar = record.calendar === null ? null : parseCalendar(record.calendar, fieldPath(path, 'calendar'));
  const slice = record.slice === null ? null : parseSlice(record.slice, fieldPath(path, 'slice'));
  if ((period === null) === (calendar === null)) {
    throw new TypeError(`${fieldPath(path, 'period')}: expected exactly one of period (rolling) and calendar to be set`);
  }
  return { fine, coarse, period, calendar, slice };
}
