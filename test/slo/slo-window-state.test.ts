import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SloWindowState, createWindowReadout } from '../../src/slo/slo-window-state';
import type { WindowReadout } from '../../src/slo/slo-window-state';
import { DAY_MS, HOUR_MS, MINUTE_MS, SLO_WINDOWS } from '../../src/slo/durations';
import type { BudgetingSpec, PeriodSpec } from '../../src/slo/objective';

const OCCURRENCES: BudgetingSpec = { kind: 'occurrences' };
const ROLLING_30D: PeriodSpec = { kind: 'rolling', durationMs: 30 * DAY_MS };
const T0 = Date.UTC(2025, 4, 5, 0, 0, 0); // a Monday, aligned to every bucket size

/** Index of a window label in SLO_WINDOWS. */
const W = (label: string): number => SLO_WINDOWS.findIndex((w) => w.label === label);

function readAt(state: SloWindowState, nowMs: number): WindowReadout {
  const out = createWindowReadout();
  state.read(nowMs, out);
  return out;
}

/** Brute force: events whose bucket (of `resolutionMs`) is among the `count` buckets ending with now's. */
function bruteCount(events: { t: number; bad: boolean }[], nowMs: number, resolutionMs: number, count: number) {
  const nowBucket = Math.floor(nowMs / resolutionMs);
  let total = 0;
  let bad = 0;
  for (const e of events) {
    const b = Math.floor(e.t / resolutionMs);
    if (b > nowBucket - count && b <= nowBucket) {
      total++;
      if (e.bad) bad++;
    }
  }
  return { total, bad };
}

/** The resolution each window is served at (see SloWindowState's doc). */
function resolutionOf(windowMs: number): number {
  return windowMs <= 6 * HOUR_MS ? MINUTE_MS : 15 * MINUTE_MS;
}

describe('SloWindowState', () => {
  it('property: every window and the 30d period equal a brute-force count', () => {
    const event = fc.record({
      gap: fc.oneof(
        fc.integer({ min: 0, max: 90_000 }),
        fc.integer({ min: 0, max: 3 * HOUR_MS }),
        fc.integer({ min: 0, max: 2 * DAY_MS }),
      ),
      // Late arrivals up to 5 h behind (a gateway batching spans).
      late: fc.option(fc.integer({ min: 0, max: 5 * HOUR_MS }), { nil: undefined, freq: 4 }),
      bad: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 * DAY_MS }),
        fc.array(event, { maxLength: 150 }),
        fc.array(fc.integer({ min: 0, max: 4 * DAY_MS }), { minLength: 1, maxLength: 4 }),
        (offset, events, readsAfter) => {
          const state = new SloWindowState(ROLLING_30D, OCCURRENCES);
          const seen: { t: number; bad: boolean }[] = [];
          let base = T0 + offset;
          for (const e of events) {
            base += e.gap;
            const t = e.late === undefined ? base : Math.max(0, base - e.late);
            expect(state.record(t, e.bad)).toBe(true);
            seen.push({ t, bad: e.bad });
          }
          const out = createWindowReadout();
          let now = base;
          for (const after of readsAfter) {
            now += after;
            state.read(now, out);
            SLO_WINDOWS.forEach((w, i) => {
              const res = resolutionOf(w.ms);
              const expected = bruteCount(seen, now, res, w.ms / res);
              expect([w.label, out.total[i], out.bad[i]]).toEqual([w.label, expected.total, expected.bad]);
            });
            const period = bruteCount(seen, now, HOUR_MS, 720);
            expect(out.periodTotal).toBe(period.total);
            expect(out.periodBad).toBe(period.bad);
            expect(out.periodMs).toBe(30 * DAY_MS);
            expect(out.periodStartMs).toBe(now - 30 * DAY_MS);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('window edges: the 5m window holds between 4 and 5 minutes of history', () => {
    const state = new SloWindowState(ROLLING_30D, OCCURRENCES);
    state.record(T0 + 2 * MINUTE_MS + 59_999, true); // bucket 12:02
    state.record(T0 + 3 * MINUTE_MS, false); // bucket 12:03
    // At 12:07:20 the 5m window is buckets 12:03..12:07.
    const at = readAt(state, T0 + 7 * MINUTE_MS + 20_000);
    expect([at.total[W('5m')], at.bad[W('5m')]]).toEqual([1, 0]);
    expect([at.total[W('30m')], at.bad[W('30m')]]).toEqual([2, 1]);
    // At 12:06:59.999 the 12:02 bucket is still in.
    const before = readAt(state, T0 + 6 * MINUTE_MS + 59_999);
    expect([before.total[W('5m')], before.bad[W('5m')]]).toEqual([2, 1]);
  });

  it('rolling 30d period: an event counts for 720 hourly buckets, then leaves', () => {
    const state = new SloWindowState(ROLLING_30D, OCCURRENCES);
    state.record(T0 + 10 * MINUTE_MS, true);
    const inside = readAt(state, T0 + 30 * DAY_MS - 1);
    expect([inside.periodTotal, inside.periodBad]).toEqual([1, 1]);
    expect(inside.total[W('3d')]).toBe(0);
    const outside = readAt(state, T0 + 30 * DAY_MS);
    expect([outside.periodTotal, outside.periodBad]).toEqual([0, 0]);
    expect(outside.periodMs).toBe(30 * DAY_MS);
    // Events older than the 3d window still reach the period (a late batch).
    state.record(T0 + 29 * DAY_MS, false);
    expect(state.record(T0 + 20 * DAY_MS, false)).toBe(true);
    const later = readAt(state, T0 + 29 * DAY_MS + HOUR_MS);
    expect(later.periodTotal).toBe(3); // read earlier than before: the first event is within 30 d of it
    expect(later.periodBad).toBe(1);
    expect(later.total[W('3d')]).toBe(1);
    // Older than the period: dropped.
    expect(state.record(T0 + 29 * DAY_MS - 30 * DAY_MS, false)).toBe(false);
  });

  it('states its memory: 21 888 B at 30d, 21 120 B at 28d, 10 368 B for a calendar period', () => {
    expect(new SloWindowState(ROLLING_30D, OCCURRENCES).bytes).toBe(21_888);
    expect(new SloWindowState({ kind: 'rolling', durationMs: 28 * DAY_MS }, OCCURRENCES).bytes).toBe(21_120);
    expect(new SloWindowState({ kind: 'rolling', durationMs: 90 * DAY_MS }, OCCURRENCES).bytes).toBe(21_888);
    expect(new SloWindowState({ kind: 'rolling', durationMs: 7 * DAY_MS }, OCCURRENCES).bytes).toBe(
      (360 + 288 + 168) * 16,
    );
    const calendar = new SloWindowState({ kind: 'calendar', unit: 'month', timeZone: 'UTC' }, OCCURRENCES);
    expect(calendar.bytes).toBe(10_368);
  });

  it('90d rolling period uses 3 h buckets', () => {
    const state = new SloWindowState({ kind: 'rolling', durationMs: 90 * DAY_MS }, OCCURRENCES);
    state.record(T0, false);
    expect(readAt(state, T0 + 90 * DAY_MS - 1).periodTotal).toBe(1);
    expect(readAt(state, T0 + 90 * DAY_MS).periodTotal).toBe(0);
  });

  for (const [zone, offsetMs] of [
    ['UTC', 0],
    ['Europe/Berlin', HOUR_MS],
    ['Asia/Kolkata', 5.5 * HOUR_MS],
  ] as const) {
    it(`calendar month rolls over at local midnight on 1 February (${zone})`, () => {
      const state = new SloWindowState({ kind: 'calendar', unit: 'month', timeZone: zone }, OCCURRENCES);
      const febStart = Date.UTC(2025, 1, 1) - offsetMs;
      const janStart = Date.UTC(2025, 0, 1) - offsetMs;
      const lastSecondOfJan = febStart - 1000; // 31 Jan 23:59:59 local
      expect(state.record(lastSecondOfJan, true)).toBe(true);
      const jan = readAt(state, lastSecondOfJan);
      expect([jan.periodTotal, jan.periodBad, jan.periodStartMs, jan.periodMs]).toEqual([1, 1, janStart, 31 * DAY_MS]);

      // A read alone rolls the period over.
      const emptyFeb = readAt(state, febStart);
      expect([emptyFeb.periodTotal, emptyFeb.periodBad, emptyFeb.periodStartMs]).toEqual([0, 0, febStart]);
      expect(emptyFeb.periodMs).toBe(28 * DAY_MS);

      expect(state.record(febStart, false)).toBe(true);
      const feb = readAt(state, febStart + 1000);
      expect([feb.periodTotal, feb.periodBad]).toEqual([1, 0]);
      // The windows are rolling and still see both events.
      expect([feb.total[W('5m')], feb.bad[W('5m')]]).toEqual([2, 1]);

      // A late event from January still reaches the windows but not February's budget.
      expect(state.record(lastSecondOfJan - 1000, true)).toBe(true);
      const after = readAt(state, febStart + 2000);
      expect([after.periodTotal, after.periodBad]).toEqual([1, 0]);
      expect(after.bad[W('5m')]).toBe(2);
    });
  }

  it('calendar periods follow DST and ISO weeks', () => {
    const berlin = new SloWindowState({ kind: 'calendar', unit: 'month', timeZone: 'Europe/Berlin' }, OCCURRENCES);
    const march = readAt(berlin, Date.UTC(2025, 2, 15));
    expect(march.periodMs).toBe(31 * DAY_MS - HOUR_MS);
    const weekly = new SloWindowState({ kind: 'calendar', unit: 'week', timeZone: 'UTC' }, OCCURRENCES);
    weekly.record(T0 + 6 * DAY_MS + 23 * HOUR_MS, true); // Sunday night
    const sunday = readAt(weekly, T0 + 6 * DAY_MS + 23 * HOUR_MS);
    expect([sunday.periodStartMs, sunday.periodMs, sunday.periodBad]).toEqual([T0, 7 * DAY_MS, 1]);
    const monday = readAt(weekly, T0 + 7 * DAY_MS);
    expect([monday.periodStartMs, monday.periodBad]).toEqual([T0 + 7 * DAY_MS, 0]);
  });

  describe('timeslices', () => {
    const TEN_S: BudgetingSpec = { kind: 'timeslices', sliceMs: 10_000, target: 0.9 };

    it('turns each closed slice into one event, bad when good/total < target', () => {
      const state = new SloWindowState(ROLLING_30D, TEN_S);
      // Slice 0 (T0..T0+10s): 9 good of 10 = 0.9, not below target: good.
      for (let i = 0; i < 10; i++) expect(state.record(T0 + i * 500, i === 3)).toBe(true);
      // Slice 1: 8 good of 10: bad.
      for (let i = 0; i < 10; i++) state.record(T0 + 10_000 + i * 500, i < 2);
      // Slice 2: empty. Slice 3: 5 events, still open.
      for (let i = 0; i < 5; i++) state.record(T0 + 30_000 + i, true);
      const open = readAt(state, T0 + 39_999);
      expect([open.total[W('5m')], open.bad[W('5m')]]).toEqual([2, 1]);
      expect([open.periodTotal, open.periodBad]).toEqual([2, 1]);
      // A read after slice 3's end closes it: all bad.
      const closed = readAt(state, T0 + 40_000);
      expect([closed.total[W('5m')], closed.bad[W('5m')]]).toEqual([3, 2]);
      expect([closed.periodTotal, closed.periodBad]).toEqual([3, 2]);
      // Events for a closed slice are dropped; reading again does not double count.
      expect(state.record(T0 + 35_000, false)).toBe(false);
      const again = readAt(state, T0 + 45_000);
      expect([again.total[W('5m')], again.bad[W('5m')]]).toEqual([3, 2]);
    });

    it('a later record closes the previous slice, at that slice start time', () => {
      const state = new SloWindowState(ROLLING_30D, { kind: 'timeslices', sliceMs: 5 * MINUTE_MS, target: 0.5 });
      state.record(T0 + 4 * MINUTE_MS, true); // slice T0..T0+5m, 0 of 1 good: bad
      state.record(T0 + 12 * MINUTE_MS, false); // opens slice T0+10m, closes the first
      const out = readAt(state, T0 + 12 * MINUTE_MS);
      // The closed slice is one bad event at T0: in the 30m window but no longer in the 5m one.
      expect([out.total[W('30m')], out.bad[W('30m')]]).toEqual([1, 1]);
      expect(out.total[W('5m')]).toBe(0);
    });

    it('closes slices into the calendar period they started in', () => {
      const state = new SloWindowState(
        { kind: 'calendar', unit: 'month', timeZone: 'UTC' },
        { kind: 'timeslices', sliceMs: MINUTE_MS, target: 1 },
      );
      const feb = Date.UTC(2025, 1, 1);
      state.record(feb - 30_000, true); // last minute of January: bad slice
      state.record(feb + 1000, false); // first minute of February
      const out = readAt(state, feb + MINUTE_MS);
      expect([out.periodStartMs, out.periodTotal, out.periodBad]).toEqual([feb, 1, 0]);
      expect([out.total[W('5m')], out.bad[W('5m')]]).toEqual([2, 1]);
    });

    it('validates the slice length and target', () => {
      const make = (sliceMs: number, target = 0.9) =>
        new SloWindowState(ROLLING_30D, { kind: 'timeslices', sliceMs, target });
      for (const ok of [1, 1000, 10_000, 15_000, 30_000, MINUTE_MS, 5 * MINUTE_MS, HOUR_MS]) {
        expect(() => make(ok)).not.toThrow();
      }
      for (const bad of [0, -1000, 7000, 45_000, 90_000, 1.5, NaN, Infinity]) {
        expect(() => make(bad)).toThrow(RangeError);
      }
      expect(() => make(MINUTE_MS, 0)).toThrow(RangeError);
      expect(() => make(MINUTE_MS, 1.01)).toThrow(RangeError);
      expect(() => make(MINUTE_MS, 1)).not.toThrow();
    });
  });

  it('never throws on odd input and ignores NaN or negative times', () => {
    for (const period of [ROLLING_30D, { kind: 'calendar', unit: 'month', timeZone: 'Asia/Kolkata' } as const]) {
      for (const budgeting of [OCCURRENCES, { kind: 'timeslices', sliceMs: 10_000, target: 0.99 } as const]) {
        const state = new SloWindowState(period, budgeting);
        for (const t of [NaN, -1, -Infinity, Infinity, 1e300, Number.MAX_VALUE]) {
          expect(state.record(t, true)).toBe(false);
        }
        expect(state.record(0, true)).toBe(true);
        const out = readAt(state, NaN);
        expect(Array.from(out.total)).toEqual([0, 0, 0, 0, 0, 0, 0]);
        expect(out.periodTotal).toBe(0);
      }
    }
  });

  it('rejects invalid specs in the constructor', () => {
    expect(() => new SloWindowState({ kind: 'rolling', durationMs: 0 }, OCCURRENCES)).toThrow(RangeError);
    expect(() => new SloWindowState({ kind: 'rolling', durationMs: NaN }, OCCURRENCES)).toThrow(RangeError);
    expect(() => new SloWindowState({ kind: 'calendar', unit: 'month', timeZone: 'Nowhere/Land' }, OCCURRENCES)).toThrow(
      RangeError,
    );
  });

  it('reset forgets everything', () => {
    const state = new SloWindowState(ROLLING_30D, OCCURRENCES);
    state.record(T0, true);
    state.reset();
    const out = readAt(state, T0);
    expect([out.total[W('5m')], out.periodTotal]).toEqual([0, 0]);
  });
});
