import type { BudgetingSpec, CalendarUnit, PeriodSpec } from './objective';
import { BucketRing } from './bucket-ring';
import type { CountSums } from './bucket-ring';
import { calendarPeriod, isValidTimeZone } from './calendar';
import { HOUR_MS, MAX_TIME_MS, MINUTE_MS, SLO_WINDOWS } from './durations';
import type { SloWindowSnapshot } from './slo-window-snapshot';

/**
 * What one `SloWindowState.read` produces. Owned by the caller and reused, so
 * that evaluating thousands of series allocates nothing.
 */
export interface WindowReadout {
  /** Events in each window; index i is `SLO_WINDOWS[i]`. Float64Array(7). */
  readonly total: Float64Array;
  /** Bad events in each window; index i is `SLO_WINDOWS[i]`. Float64Array(7). */
  readonly bad: Float64Array;
  /** Events counted in the SLO period. */
  periodTotal: number;
  /** Bad events counted in the SLO period. */
  periodBad: number;
  /** Length of the period: the fixed duration when rolling, the current calendar period's length otherwise. */
  periodMs: number;
  /** `now − periodMs` when rolling; the current calendar period's start otherwise. */
  periodStartMs: number;
}

/** A zeroed readout, sized for `SLO_WINDOWS`. */
export function createWindowReadout(): WindowReadout {
  return {
    total: new Float64Array(SLO_WINDOWS.length),
    bad: new Float64Array(SLO_WINDOWS.length),
    periodTotal: 0,
    periodBad: 0,
    periodMs: 0,
    periodStartMs: 0,
  };
}

/** Ring A: one-minute buckets, six hours (5m, 30m, 1h, 2h, 6h windows). */
const FINE_RESOLUTION_MS = MINUTE_MS;
const FINE_LENGTH = 360;
/** Ring B: fifteen-minute buckets, three days (1d, 3d windows). */
const COARSE_RESOLUTION_MS = 15 * MINUTE_MS;
const COARSE_LENGTH = 288;
/** Ring C (rolling periods): at most this many buckets, each at least one hour wide. */
const PERIOD_MAX_BUCKETS = 720;

/**
 * Everything one SLO series needs to answer "how many events, and how many
 * bad, in each window and in the period", in a fixed amount of memory.
 *
 * ## Windows
 * Three bucket rings (see `BucketRing`):
 * - A: 1-minute buckets × 360 (6 h) — the 5m, 30m, 1h, 2h and 6h windows;
 * - B: 15-minute buckets × 288 (3 d) — the 1d and 3d windows;
 * - C (rolling periods only): buckets of `max(1 h, ceil(periodHours / 720) h)`
 *   covering the period — 720 for 30d, 672 for 28d.
 *
 * The window of length W read at `now` is the `W / resolution` most recent
 * buckets including the bucket holding `now`, which is partial. It therefore
 * covers between `W − resolution` and `W` of history: the 5m window at
 * 12:07:20 holds the events of 12:03:00–12:07:20; the 1d window 24 h minus up
 * to 15 min; a 30d rolling period 30 d minus up to 1 h. This is the
 * resolution trade every bucketed window makes; Prometheus' `rate()` over
 * Sloth's recording rules is no more exact.
 *
 * For a calendar period there is no ring C, only two counters for the current
 * period, zeroed when an event (or a read) falls into a new period.
 *
 * ## Budgeting
 * With `occurrences` every event counts once. With `timeslices` events are
 * counted per slice (aligned to the epoch) and, once time passes the slice
 * end — seen by a later `record` or by `read` — the slice becomes ONE event at
 * the slice's start time, bad when `good / total < target`. Empty slices
 * count for nothing; the slice in progress is not counted until it closes.
 * Events for a slice already closed are dropped.
 *
 * ## Memory
 * `bytes` = the typed-array payload: (360 + 288 + 720) × 16 = 21 888 B for a
 * 30d rolling period (21 120 B for 28d, 10 368 B for any calendar period).
 * The JS objects around them (this object, the rings, six typed arrays and
 * their buffers) are not included; in Node 20 they add about 1.5 KB
 * (measured: ≈ 23.4 KB of heap + array buffers per 30d instance).
 */
export class SloWindowState {
  /** Typed-array payload held, in bytes (21 888 for a 30d rolling period). */
  readonly bytes: number;

  private readonly fine = new BucketRing(FINE_RESOLUTION_MS, FINE_LENGTH);
  private readonly coarse = new BucketRing(COARSE_RESOLUTION_MS, COARSE_LENGTH);
  /** Ring C, for rolling periods. */
  private readonly periodRing: BucketRing | undefined;
  private readonly rollingPeriodMs: number;

  /** Calendar periods: the unit and zone, and the current period's bounds and counts. */
  private readonly calendarUnit: CalendarUnit | undefined;
  private readonly calendarZone: string;
  private calendarStartMs = NaN;
  private calendarEndMs = NaN;
  private calendarTotal = 0;
  private calendarBad = 0;

  /** Timeslices: slice length and target (0 = occurrences), and the open slice. */
  private readonly sliceMs: number;
  private readonly sliceTarget: number;
  private sliceStartMs = -Infinity;
  private sliceTotal = 0;
  private sliceGood = 0;

  /** Scratch for ring sums, allocated once. */
  private readonly scratch: CountSums = { total: 0, bad: 0 };

  /**
   * @throws RangeError for a rolling duration that is not a positive number of
   *   ms, an unknown calendar time zone, or a slice length that neither
   *   divides one minute nor is a whole number of minutes, or a target
   *   outside (0, 1].
   */
  constructor(period: PeriodSpec, budgeting: BudgetingSpec) {
    if (period.kind === 'rolling') {
      const durationMs = period.durationMs;
      if (!(durationMs > 0 && durationMs <= MAX_TIME_MS)) {
        throw new RangeError(`rolling period duration must be a positive number of ms, got ${durationMs}`);
      }
      // Never more than 720 buckets, never finer than an hour: 30d → 720 × 1 h, 28d → 672 × 1 h, 90d → 720 × 3 h.
      const periodHours = durationMs / HOUR_MS;
      const resolutionMs = Math.max(1, Math.ceil(periodHours / PERIOD_MAX_BUCKETS)) * HOUR_MS;
      this.periodRing = new BucketRing(resolutionMs, Math.ceil(durationMs / resolutionMs));
      this.rollingPeriodMs = durationMs;
      this.calendarUnit = undefined;
      this.calendarZone = '';
    } else {
      if (period.unit !== 'week' && period.unit !== 'month') {
        throw new RangeError(`calendar period unit must be 'week' or 'month', got ${String(period.unit)}`);
      }
      if (!isValidTimeZone(period.timeZone)) {
        throw new RangeError(`unknown time zone: ${period.timeZone}`);
      }
      this.periodRing = undefined;
      this.rollingPeriodMs = 0;
      this.calendarUnit = period.unit;
      this.calendarZone = period.timeZone;
    }

    if (budgeting.kind === 'timeslices') {
      const { sliceMs, target } = budgeting;
      const aligned =
        Number.isSafeInteger(sliceMs) &&
        sliceMs > 0 &&
        (MINUTE_MS % sliceMs === 0 || sliceMs % MINUTE_MS === 0);
      if (!aligned) {
        throw new RangeError(`timeslice length must divide 1 minute or be a whole number of minutes, got ${sliceMs} ms`);
      }
      if (!(target > 0 && target <= 1)) {
        throw new RangeError(`timeslice target must be in (0, 1], got ${target}`);
      }
      this.sliceMs = sliceMs;
      this.sliceTarget = target;
    } else {
      this.sliceMs = 0;
      this.sliceTarget = 0;
    }

    this.bytes = this.fine.bytes + this.coarse.bytes + (this.periodRing?.bytes ?? 0);
  }

  /**
   * Records one event at `timeMs`. O(1) and allocation-free (a calendar
   * period allocates once when it rolls over); never throws.
   *
   * @returns true when the event was counted somewhere (for timeslices: added
   *   to its open slice); false when ignored: NaN, negative or absurd time,
   *   older than every window and the period, or for an already closed slice.
   */
  record(timeMs: number, bad: boolean): boolean {
    if (!(timeMs >= 0 && timeMs <= MAX_TIME_MS)) return false;
    if (this.sliceMs === 0) return this.count(timeMs, bad ? 1 : 0);

    const sliceStart = Math.floor(timeMs / this.sliceMs) * this.sliceMs;
    if (sliceStart > this.sliceStartMs) {
      this.closeSlice();
      this.sliceStartMs = sliceStart;
    } else if (sliceStart < this.sliceStartMs) {
      return false;
    }
    this.sliceTotal++;
    if (!bad) this.sliceGood++;
    return true;
  }

  /**
   * Fills `out` with the counts of every window and of the period as of
   * `nowMs`. Closes a timeslice that has ended and rolls a calendar period
   * that has ended (so reads must come in non-decreasing time, like records;
   * a read before the current calendar period reports the current period).
   * Allocation-free except when a calendar period rolls over. A NaN or
   * negative `nowMs` yields all zeros.
   */
  read(nowMs: number, out: WindowReadout): void {
    if (!(nowMs >= 0 && nowMs <= MAX_TIME_MS)) {
      out.total.fill(0);
      out.bad.fill(0);
      out.periodTotal = 0;
      out.periodBad = 0;
      out.periodMs = this.rollingPeriodMs;
      out.periodStartMs = 0;
      return;
    }
    if (this.sliceMs !== 0 && nowMs >= this.sliceStartMs + this.sliceMs) {
      this.closeSlice();
      this.sliceStartMs = Math.floor(nowMs / this.sliceMs) * this.sliceMs;
    }

    const sums = this.scratch;
    for (let i = 0; i < SLO_WINDOWS.length; i++) {
      const windowMs = SLO_WINDOWS[i]?.ms ?? 0;
      const ring = windowMs <= FINE_RESOLUTION_MS * FINE_LENGTH ? this.fine : this.coarse;
      ring.sum(nowMs, windowMs / ring.resolutionMs, sums);
      out.total[i] = sums.total;
      out.bad[i] = sums.bad;
    }

    if (this.periodRing !== undefined) {
      this.periodRing.sum(nowMs, this.periodRing.length, sums);
      out.periodTotal = sums.total;
      out.periodBad = sums.bad;
      out.periodMs = this.rollingPeriodMs;
      out.periodStartMs = nowMs - this.rollingPeriodMs;
    } else {
      if (!(nowMs < this.calendarEndMs)) this.enterCalendarPeriod(nowMs);
      out.periodTotal = this.calendarTotal;
      out.periodBad = this.calendarBad;
      out.periodMs = this.calendarEndMs - this.calendarStartMs;
      out.periodStartMs = this.calendarStartMs;
    }
  }

  /**
   * Everything this state holds, copied into plain data (see
   * `SloWindowSnapshot`): the rings, the calendar counters, the open slice.
   * Reads nothing and closes nothing, so exporting never changes what a
   * later `read` reports. Allocates `bytes` for the array copies.
   */
  exportState(): SloWindowSnapshot {
    return {
      fine: this.fine.exportState(),
      coarse: this.coarse.exportState(),
      period: this.periodRing?.exportState() ?? null,
      calendar:
        this.calendarUnit === undefined
          ? null
          : {
              unit: this.calendarUnit,
              timeZone: this.calendarZone,
              startMs: Number.isNaN(this.calendarStartMs) ? null : this.calendarStartMs,
              endMs: Number.isNaN(this.calendarEndMs) ? null : this.calendarEndMs,
              total: this.calendarTotal,
              bad: this.calendarBad,
            },
      slice:
        this.sliceMs === 0
          ? null
          : {
              sliceMs: this.sliceMs,
              target: this.sliceTarget,
              startMs: this.sliceStartMs === -Infinity ? null : this.sliceStartMs,
              total: this.sliceTotal,
              good: this.sliceGood,
            },
    };
  }

  /**
   * Why `snapshot` cannot be restored here — it was taken with another
   * period kind, period length, calendar unit or zone, budgeting, slice
   * length or target — or undefined when it can. The snapshot is assumed
   * well-formed (`parseSloWindowSnapshot`).
   */
  stateMismatch(snapshot: SloWindowSnapshot): string | undefined {
    const rings = this.fine.stateMismatch(snapshot.fine) ?? this.coarse.stateMismatch(snapshot.coarse);
    if (rings !== undefined) return rings;
    if (this.periodRing !== undefined) {
      if (snapshot.period === null) return 'calendar period saved, rolling period expected';
      const period = this.periodRing.stateMismatch(snapshot.period);
      if (period !== undefined) return `rolling period: ${period}`;
    } else {
      const calendar = snapshot.calendar;
      if (calendar === null) return 'rolling period saved, calendar period expected';
      if (calendar.unit !== this.calendarUnit || calendar.timeZone !== this.calendarZone) {
        return `calendar ${calendar.unit} in ${calendar.timeZone} saved, ${this.calendarUnit ?? ''} in ${this.calendarZone} expected`;
      }
    }
    const slice = snapshot.slice;
    if (this.sliceMs === 0) {
      if (slice !== null) return 'timeslices saved, occurrences expected';
    } else if (slice === null) {
      return 'occurrences saved, timeslices expected';
    } else if (slice.sliceMs !== this.sliceMs || slice.target !== this.sliceTarget) {
      return `timeslices of ${slice.sliceMs} ms at ${slice.target} saved, ${this.sliceMs} ms at ${this.sliceTarget} expected`;
    }
    return undefined;
  }

  /**
   * Replaces everything with the snapshot's contents (copied), so reads and
   * records from here on behave exactly as they would have on the exported
   * state. All or nothing: every part is checked before any is changed.
   *
   * @throws RangeError, changing nothing, when `stateMismatch` finds a reason.
   */
  restoreState(snapshot: SloWindowSnapshot): void {
    const mismatch = this.stateMismatch(snapshot);
    if (mismatch !== undefined) throw new RangeError(mismatch);
    this.fine.restoreState(snapshot.fine);
    this.coarse.restoreState(snapshot.coarse);
    if (this.periodRing !== undefined && snapshot.period !== null) this.periodRing.restoreState(snapshot.period);
    const calendar = snapshot.calendar;
    this.calendarStartMs = calendar?.startMs ?? NaN;
    this.calendarEndMs = calendar?.endMs ?? NaN;
    this.calendarTotal = calendar?.total ?? 0;
    this.calendarBad = calendar?.bad ?? 0;
    const slice = snapshot.slice;
    this.sliceStartMs = slice?.startMs ?? -Infinity;
    this.sliceTotal = slice?.total ?? 0;
    this.sliceGood = slice?.good ?? 0;
  }

  /** Forgets all events and any open slice or calendar period. */
  reset(): void {
    this.fine.reset();
    this.coarse.reset();
    this.periodRing?.reset();
    this.calendarStartMs = NaN;
    this.calendarEndMs = NaN;
    this.calendarTotal = 0;
    this.calendarBad = 0;
    this.sliceStartMs = -Infinity;
    this.sliceTotal = 0;
    this.sliceGood = 0;
  }

  /** Counts `bad` (0 or 1) out of one event at `timeMs` into the rings and the period. */
  private count(timeMs: number, bad: number): boolean {
    // Non-short-circuit `|`: every structure must see the event.
    const inWindows = Number(this.fine.add(timeMs, 1, bad)) | Number(this.coarse.add(timeMs, 1, bad));
    let inPeriod: boolean;
    if (this.periodRing !== undefined) {
      inPeriod = this.periodRing.add(timeMs, 1, bad);
    } else {
      if (!(timeMs < this.calendarEndMs)) this.enterCalendarPeriod(timeMs);
      inPeriod = timeMs >= this.calendarStartMs;
      if (inPeriod) {
        this.calendarTotal += 1;
        this.calendarBad += bad;
      }
    }
    return inWindows === 1 || inPeriod;
  }

  /** Turns the open slice, if it had events, into one event at its start. */
  private closeSlice(): void {
    if (this.sliceTotal > 0) {
      const good = this.sliceGood / this.sliceTotal < this.sliceTarget ? 0 : 1;
      this.count(this.sliceStartMs, 1 - good);
    }
    this.sliceTotal = 0;
    this.sliceGood = 0;
  }

  /** Moves the calendar counters to the period containing `timeMs`, zeroed. */
  private enterCalendarPeriod(timeMs: number): void {
    let bounds;
    try {
      // Only called for calendar periods, where calendarUnit is set. The zone
      // and the time were validated, so this cannot throw in practice; the
      // guard keeps `record` from ever throwing should ICU disagree.
      bounds = calendarPeriod(timeMs, this.calendarUnit ?? 'month', this.calendarZone);
    } catch {
      return;
    }
    this.calendarStartMs = bounds.startMs;
    this.calendarEndMs = bounds.endMs;
    this.calendarTotal = 0;
    this.calendarBad = 0;
  }
}
