import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deserialize, serialize } from 'node:v8';
import { SloWindowState, createWindowReadout } from '../../src/slo/slo-window-state';
import { parseSloWindowSnapshot } from '../../src/slo/slo-window-snapshot';
import type { BudgetingSpec, PeriodSpec } from '../../src/slo/objective';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../src/slo/durations';
import { thrownBy } from '../helpers/thrown';

// Saturday 31 October 2026, 21:00 UTC: a Berlin month ends 2 h later, an ISO week 27 h later.
const T0 = Date.UTC(2026, 9, 31, 21, 0, 0);

const OCCURRENCES: BudgetingSpec = { kind: 'occurrences' };
const ROLLING_30D: PeriodSpec = { kind: 'rolling', durationMs: 30 * DAY_MS };

const CASES: readonly [string, PeriodSpec, BudgetingSpec][] = [
  ['rolling 30d, occurrences', ROLLING_30D, OCCURRENCES],
  ['rolling 7d, 1m timeslices at 95 %', { kind: 'rolling', durationMs: 7 * DAY_MS }, { kind: 'timeslices', sliceMs: MINUTE_MS, target: 0.95 }],
  ['calendar month in Europe/Berlin', { kind: 'calendar', unit: 'month', timeZone: 'Europe/Berlin' }, OCCURRENCES],
  ['calendar week in UTC, 10s timeslices', { kind: 'calendar', unit: 'week', timeZone: 'UTC' }, { kind: 'timeslices', sliceMs: 10_000, target: 0.9 }],
];

type Step = { readonly kind: 'record'; readonly gap: number; readonly late: number; readonly bad: boolean } | { readonly kind: 'read'; readonly gap: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('record' as const),
      gap: fc.oneof(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 2 * HOUR_MS })),
      late: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 4 * DAY_MS })),
      bad: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('read' as const), gap: fc.integer({ min: 0, max: 6 * HOUR_MS }) }) },
);

/** Runs the steps from `start`; returns the time reached and every readout taken, as plain arrays. */
function run(state: SloWindowState, start: number, steps: readonly Step[]): { end: number; reads: unknown[] } {
  const out = createWindowReadout();
  const reads: unknown[] = [];
  let now = start;
  for (const s of steps) {
    now += s.gap;
    if (s.kind === 'record') {
      reads.push(state.record(Math.max(0, now - s.late), s.bad));
    } else {
      state.read(now, out);
      reads.push([Array.from(out.total), Array.from(out.bad), out.periodTotal, out.periodBad, out.periodMs, out.periodStartMs]);
    }
  }
  state.read(now, out);
  reads.push([Array.from(out.total), Array.from(out.bad), out.periodTotal, out.periodBad, out.periodMs, out.periodStartMs]);
  return { end: now, reads };
}

describe('SloWindowState export/restore', () => {
  for (const [name, period, budgeting] of CASES) {
    it(`property (${name}): a restored state records and reads exactly as the original`, () => {
      fc.assert(
        fc.property(fc.array(step, { maxLength: 40 }), fc.array(step, { maxLength: 40 }), (before, after) => {
          const original = new SloWindowState(period, budgeting);
          const { end } = run(original, T0, before);
          // No read between the prefix and the export: an open slice or a stale calendar period is exported as is.
          const copy = new SloWindowState(period, budgeting);
          copy.restoreState(parseSloWindowSnapshot(deserialize(serialize(original.exportState())), 'window'));
          expect(copy.exportState()).toEqual(original.exportState());
          expect(run(copy, end, after).reads).toEqual(run(original, end, after).reads);
        }),
        { numRuns: 60 },
      );
    });
  }

  it('keeps the open timeslice: events before and after the snapshot make one slice', () => {
    const budgeting: BudgetingSpec = { kind: 'timeslices', sliceMs: MINUTE_MS, target: 0.5 };
    const original = new SloWindowState(ROLLING_30D, budgeting);
    original.record(T0, true);
    original.record(T0 + 1_000, true);
    const snapshot = original.exportState();
    expect(snapshot.slice).toEqual({ sliceMs: MINUTE_MS, target: 0.5, startMs: T0, total: 2, good: 0 });
    const restored = new SloWindowState(ROLLING_30D, budgeting);
    restored.restoreState(snapshot);
    // Three good events after the restart: 3 of 5 good ≥ 0.5, so the slice is one good event.
    for (let i = 0; i < 3; i++) restored.record(T0 + 10_000 + i, false);
    const out = createWindowReadout();
    restored.read(T0 + MINUTE_MS, out);
    expect([out.periodTotal, out.periodBad]).toEqual([1, 0]);
  });

  it('keeps the calendar counters, and rolls them over at the next period as before', () => {
    const period: PeriodSpec = { kind: 'calendar', unit: 'month', timeZone: 'Europe/Berlin' };
    const original = new SloWindowState(period, OCCURRENCES);
    original.record(T0, true);
    original.record(T0, false);
    const restored = new SloWindowState(period, OCCURRENCES);
    restored.restoreState(original.exportState());
    const out = createWindowReadout();
    restored.read(T0 + HOUR_MS, out);
    expect([out.periodTotal, out.periodBad, out.periodStartMs]).toEqual([2, 1, Date.UTC(2026, 8, 30, 22)]);
    restored.read(T0 + 3 * HOUR_MS, out); // 1 November in Berlin
    expect([out.periodTotal, out.periodStartMs]).toEqual([0, Date.UTC(2026, 9, 31, 23)]);
    expect(out.total[6]).toBe(2); // the 3d window still holds both
  });

  it('exporting does not close the open slice (it is not a read)', () => {
    const state = new SloWindowState(ROLLING_30D, { kind: 'timeslices', sliceMs: MINUTE_MS, target: 0.9 });
    state.record(T0, true);
    state.exportState();
    const later = state.exportState();
    expect(later.slice?.total).toBe(1);
    expect(Array.from(later.fine.totals).every((v) => v === 0)).toBe(true);
  });

  it('states its serialised size: 21 888 B of arrays at 30d, 10 368 B for a calendar period, plus under 1 KB', () => {
    const rolling = serialize(new SloWindowState(ROLLING_30D, OCCURRENCES).exportState()).length;
    expect(rolling).toBeGreaterThanOrEqual(21_888);
    expect(rolling).toBeLessThan(21_888 + 1_024);
    const calendar = serialize(new SloWindowState({ kind: 'calendar', unit: 'week', timeZone: 'UTC' }, OCCURRENCES).exportState()).length;
    expect(calendar).toBeGreaterThanOrEqual(10_368);
    expect(calendar).toBeLessThan(10_368 + 1_024);
  });

  it.each([
    ['rolling 28d', { kind: 'rolling', durationMs: 28 * DAY_MS }, OCCURRENCES, 'rolling period: bucket ring of 720 × 3600000 ms saved, 672 × 3600000 ms expected'],
    ['calendar', { kind: 'calendar', unit: 'month', timeZone: 'UTC' }, OCCURRENCES, 'rolling period saved, calendar period expected'],
    ['timeslices', ROLLING_30D, { kind: 'timeslices', sliceMs: MINUTE_MS, target: 0.9 }, 'occurrences saved, timeslices expected'],
  ] as [string, PeriodSpec, BudgetingSpec, string][])(
    'refuses a 30d occurrences snapshot for %s with a reason, changing nothing',
    (_name, period, budgeting, reason) => {
      const saved = new SloWindowState(ROLLING_30D, OCCURRENCES);
      saved.record(T0, true);
      const target = new SloWindowState(period, budgeting);
      target.record(T0, false);
      const before = target.exportState();
      expect(target.stateMismatch(saved.exportState())).toBe(reason);
      expect(thrownBy(RangeError, () => target.restoreState(saved.exportState())).message).toBe(reason);
      expect(target.exportState()).toEqual(before);
    },
  );

  it('refuses another calendar zone or slice target', () => {
    const berlin = new SloWindowState({ kind: 'calendar', unit: 'week', timeZone: 'Europe/Berlin' }, OCCURRENCES);
    const utc = new SloWindowState({ kind: 'calendar', unit: 'week', timeZone: 'UTC' }, OCCURRENCES);
    expect(utc.stateMismatch(berlin.exportState())).toBe('calendar week in Europe/Berlin saved, week in UTC expected');
    const a = new SloWindowState(ROLLING_30D, { kind: 'timeslices', sliceMs: MINUTE_MS, target: 0.9 });
    const b = new SloWindowState(ROLLING_30D, { kind: 'timeslices', sliceMs: MINUTE_MS, target: 0.95 });
    expect(b.stateMismatch(a.exportState())).toBe('timeslices of 60000 ms at 0.9 saved, 60000 ms at 0.95 expected');
  });

  describe('parseSloWindowSnapshot', () => {
    const exported = (): Record<string, unknown> => ({ ...new SloWindowState({ kind: 'calendar', unit: 'week', timeZone: 'UTC' }, { kind: 'timeslices', sliceMs: 10_000, target: 0.9 }).exportState() });

    it.each([
      ['a ring', (s: Record<string, unknown>) => ({ ...s, coarse: { ...(s.coarse as object), totals: [] } }), 'window.coarse.totals: expected a Float64Array of 288 numbers, got Array'],
      ['both period kinds', (s: Record<string, unknown>) => ({ ...s, period: s.fine }), 'window.period: expected exactly one of period (rolling) and calendar'],
      ['calendar unit', (s: Record<string, unknown>) => ({ ...s, calendar: { ...(s.calendar as object), unit: 'day' } }), "window.calendar.unit: expected 'week' or 'month', got string"],
      ['calendar bounds', (s: Record<string, unknown>) => ({ ...s, calendar: { ...(s.calendar as object), startMs: 5 } }), 'window.calendar.endMs: expected both bounds null'],
      ['slice counts', (s: Record<string, unknown>) => ({ ...s, slice: { ...(s.slice as object), good: 2 } }), 'window.slice.good: 2 good events out of 0'],
      ['slice start', (s: Record<string, unknown>) => ({ ...s, slice: { ...(s.slice as object), startMs: -Infinity } }), 'window.slice.startMs: expected a finite number, got number -Infinity'],
    ])('throws a TypeError naming the field: %s', (_name, mutate, message) => {
      const value = mutate(exported());
      expect(thrownBy(TypeError, () => parseSloWindowSnapshot(value, 'window')).message).toContain(message);
    });
  });
});
