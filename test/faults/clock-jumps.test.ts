/**
 * Fault: the wall clock jumps (NTP step, VM resume, a wrong RTC fixed by
 * hand). The engines take an injected clock, so the real SLO, baseline and
 * anomaly engines run against a ManualClock that jumps forward by hours and
 * days and backward by minutes. What must hold: nothing throws, no count or
 * window total goes negative or NaN, cumulative counters never go back,
 * the window rings clear when the jump outruns them, alerts resolve once
 * the data that fired them has left their windows, and the engines keep
 * counting afterwards.
 *
 * Bound: unit-level, well under a second; timeout 10 s.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import { SloEngine } from '../../src/engine/slo-engine';
import type { SloAlertEvent } from '../../src/engine/slo-alert-event';
import { SpanSample, OtlpSpanKind, OtlpStatusCode } from '../../src/engine/span-sample';
import { BaselineSpanSample } from '../../src/engine/baseline-span-sample';
import { AnomalyEngine } from '../../src/engine/anomaly-engine';
import type { AnomalyEvent } from '../../src/engine/anomaly-event';
import { SLO_WINDOWS } from '../../src/slo/durations';
import { createBaselineEngine } from '../../processors/baseline/create-baseline-engine';
import { objectiveSpec } from '../helpers/objectives';
import { DEFAULT_BASELINE_SETTINGS } from '../processors/baseline/fixture-cases';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 10, 2, 10, 0, 0);

interface Figures {
  good: number;
  bad: number;
  windowTotals: number[];
  windowErrorRatios: number[];
  periodTotal: number;
  budgetRemaining: number;
  page: boolean;
  ticket: boolean;
}

function figures(engine: SloEngine): Figures {
  const out: Figures[] = [];
  engine.collect((_series, s) => {
    out.push({
      good: s.goodEvents,
      bad: s.badEvents,
      windowTotals: [...s.windowTotal],
      windowErrorRatios: [...s.windowErrorRatio],
      periodTotal: s.periodTotal,
      budgetRemaining: s.errorBudgetRemaining,
      page: s.pageFiring,
      ticket: s.ticketFiring,
    });
  });
  expect(out).toHaveLength(1);
  return out[0]!;
}

/** The invariants every reading must keep, whatever the clock did. */
function expectSane(f: Figures): void {
  for (const total of [f.good, f.bad, f.periodTotal, ...f.windowTotals]) {
    expect(Number.isFinite(total)).toBe(true);
    expect(total).toBeGreaterThanOrEqual(0);
  }
  for (const ratio of f.windowErrorRatios) {
    expect(ratio).toBeGreaterThanOrEqual(0);
    expect(ratio).toBeLessThanOrEqual(1);
  }
  // A longer window holds at least what a shorter one does.
  for (let i = 1; i < f.windowTotals.length; i++) expect(f.windowTotals[i]).toBeGreaterThanOrEqual(f.windowTotals[i - 1]!);
  expect(f.budgetRemaining).toBeLessThanOrEqual(1);
}

function span(clock: ManualClock, failed: boolean): SpanSample {
  const s = new SpanSample();
  s.service = 'shop';
  s.kind = OtlpSpanKind.SERVER;
  s.name = 'GET';
  s.statusCode = failed ? OtlpStatusCode.ERROR : OtlpStatusCode.UNSET;
  s.durationMs = 10;
  s.endTimeMs = clock.now();
  s.attributes = { 'http.request.method': 'GET', 'http.route': '/orders', 'http.response.status_code': failed ? 500 : 200 };
  return s;
}

describe('fault: clock jumps, SLO engine and its alerts (bound < 1 s)', () => {
  it('forward by days: windows clear, alerts resolve, counters keep; backward by minutes: no negative figures; forward past the period: budget whole again', () => {
    const clock = new ManualClock(T0);
    const engine = new SloEngine([objectiveSpec()], { clock });
    const alerts: SloAlertEvent[] = [];
    engine.subscribe((event) => alerts.push(event));
    const minuteOfTraffic = (good: number, bad: number): void => {
      for (let i = 0; i < good; i++) engine.record(span(clock, false));
      for (let i = 0; i < bad; i++) engine.record(span(clock, true));
      clock.advance(MINUTE);
      engine.evaluate();
    };
    for (let m = 0; m < 10; m++) minuteOfTraffic(10, 10);
    const burning = figures(engine);
    expectSane(burning);
    expect(burning).toMatchObject({ good: 100, bad: 100, page: true, ticket: true });
    expect(alerts.filter((a) => a.state === 'firing').map((a) => a.severity).sort()).toEqual(['page', 'ticket']);

    // Forward 2 days: every window up to 1d is empty, the 3d window and the 30d period still hold the events.
    clock.advance(2 * DAY);
    expect(() => engine.evaluate()).not.toThrow();
    const later = figures(engine);
    expectSane(later);
    SLO_WINDOWS.forEach((w, i) => expect({ window: w.label, total: later.windowTotals[i] }).toEqual({ window: w.label, total: w.ms < 2 * DAY ? 0 : 200 }));
    expect(later).toMatchObject({ good: 100, bad: 100, periodTotal: 200, page: false, ticket: false });
    expect(alerts.filter((a) => a.state === 'resolved').map((a) => a.severity).sort()).toEqual(['page', 'ticket']);

    // Backward 10 minutes, with spans stamped at the earlier time: counted, nothing negative, no alert flaps.
    const alertsBefore = alerts.length;
    clock.advance(-10 * MINUTE);
    expect(() => {
      for (let i = 0; i < 5; i++) engine.record(span(clock, false));
      engine.evaluate();
    }).not.toThrow();
    const back = figures(engine);
    expectSane(back);
    expect(back).toMatchObject({ good: 105, bad: 100, page: false, ticket: false });
    expect(back.periodTotal).toBeGreaterThanOrEqual(200);

    // And forward again past where it was: traffic after the jumps is counted in the short windows.
    clock.advance(15 * MINUTE);
    minuteOfTraffic(20, 0);
    const resumed = figures(engine);
    expectSane(resumed);
    expect(resumed.good).toBe(125);
    expect(resumed.windowTotals[0]).toBe(20);
    expect(alerts.length).toBe(alertsBefore);

    // Forward 40 days: past the 30d period; the budget is whole again, the counters still cumulative.
    clock.advance(40 * DAY);
    engine.evaluate();
    const far = figures(engine);
    expectSane(far);
    expect(far).toMatchObject({ good: 125, bad: 100, periodTotal: 0, budgetRemaining: 1, page: false, ticket: false });
    expect(far.windowTotals.every((t) => t === 0)).toBe(true);
  });

  it('backward jump while burning: nothing throws, figures stay sane, and the alerts resolve once time has moved past the burst', () => {
    const clock = new ManualClock(T0);
    const engine = new SloEngine([objectiveSpec()], { clock });
    const alerts: SloAlertEvent[] = [];
    engine.subscribe((event) => alerts.push(event));
    for (let m = 0; m < 10; m++) {
      for (let i = 0; i < 20; i++) engine.record(span(clock, i % 2 === 0));
      clock.advance(MINUTE);
      engine.evaluate();
    }
    for (const back of [1, 5, 30]) {
      clock.advance(-back * MINUTE);
      expect(() => engine.evaluate()).not.toThrow();
      expectSane(figures(engine));
    }
    clock.advance(7 * DAY);
    engine.evaluate();
    expect(figures(engine)).toMatchObject({ page: false, ticket: false, good: 100, bad: 100 });
    // Every firing has its resolution, none twice in a row per severity.
    for (const severity of ['page', 'ticket'] as const) {
      const states = alerts.filter((a) => a.severity === severity).map((a) => a.state);
      expect(states.at(-1)).toBe('resolved');
      for (let i = 1; i < states.length; i++) expect(states[i]).not.toBe(states[i - 1]);
    }
  });
});

describe('fault: clock jumps, baseline and anomaly engines with the real detectors (bound < 1 s)', () => {
  it('skips the intervals a forward jump passes over, drops keys idle past idle_timeout, ignores a backward jump, and keeps learning', () => {
    const clock = new ManualClock(T0);
    const errors: unknown[] = [];
    const baseline = createBaselineEngine(DEFAULT_BASELINE_SETTINGS, { clock, onError: (e) => errors.push(e) });
    const events: AnomalyEvent[] = [];
    const anomaly = new AnomalyEngine(baseline, { onAnomaly: (e) => events.push(e), onError: (e) => errors.push(e) });
    const sample = new BaselineSpanSample();
    sample.kind = OtlpSpanKind.SERVER;
    sample.service = 'shop';
    sample.attributes = { 'http.request.method': 'GET', 'http.route': '/orders' };
    const minuteOfTraffic = (): void => {
      for (let i = 0; i < 30; i++) {
        sample.durationMs = 10 + (i % 7);
        sample.statusCode = OtlpStatusCode.UNSET;
        baseline.record(sample);
      }
      clock.advance(MINUTE);
      baseline.rollUp();
    };
    for (let m = 0; m < 45; m++) minuteOfTraffic();
    expect(baseline.keyCount).toBe(1);
    const skippedBefore = baseline.skippedIntervals;

    // Forward 3 hours: about 180 intervals skipped, not closed one by one; the key is still held (idle_timeout is 24h).
    clock.advance(3 * HOUR);
    expect(() => baseline.rollUp()).not.toThrow();
    expect(baseline.skippedIntervals - skippedBefore).toBeGreaterThanOrEqual(179);
    expect(baseline.skippedIntervals - skippedBefore).toBeLessThanOrEqual(181);
    expect(baseline.keyCount).toBe(1);

    // Backward 10 minutes: the open interval is still ahead, so rollUp does nothing; spans are still recorded.
    const openEnd = baseline.openIntervalEndMs;
    clock.advance(-10 * MINUTE);
    expect(() => minuteOfTraffic()).not.toThrow();
    expect(baseline.openIntervalEndMs).toBe(openEnd);
    for (let m = 0; m < 12; m++) minuteOfTraffic();
    expect(baseline.openIntervalEndMs).toBeGreaterThan(openEnd);

    // Forward 2 days: the roll-up closes the interval that had spans (idleness is judged at a closed
    // interval's end, and the skipped ones are not closed); the next one finds the key idle past 24h and drops it.
    clock.advance(2 * DAY);
    baseline.rollUp();
    expect(baseline.keyCount).toBe(1);
    clock.advance(MINUTE);
    baseline.rollUp();
    expect(baseline.keyCount).toBe(0);
    expect(baseline.evictedKeys).toBe(1);
    // Traffic after it builds a new key from scratch.
    for (let m = 0; m < 3; m++) minuteOfTraffic();
    expect(baseline.keyCount).toBe(1);
    baseline.forEach((series) => {
      for (let age = 0; age < series.ring.size; age++) expect(series.ring.countAt(age)).toBeGreaterThanOrEqual(0);
    });
    expect(errors).toEqual([]);
    // Steady traffic across the jumps is not an anomaly, and no anomaly is left open.
    expect(events.filter((e) => e.edge === 'start')).toHaveLength(events.filter((e) => e.edge === 'end').length);
    expect(anomaly.activeKeys).toBe(0);
  });
});
