import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deserialize, serialize } from 'node:v8';
import { ManualClock } from '../../src/clock';
import { SloEngine } from '../../src/engine/slo-engine';
import type { SloEngineState } from '../../src/engine/slo-engine-state';
import { SpanSample, OtlpSpanKind, OtlpStatusCode } from '../../src/engine/span-sample';
import type { SloAlertEvent } from '../../src/engine/slo-alert-event';
import { OVERFLOW_LABEL_VALUE } from '../../src/engine/bounded-series-index';
import { BucketRing } from '../../src/slo/bucket-ring';
import type { ObjectiveSpec } from '../../src/slo/objective';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../src/slo/durations';
import { objectiveSpec } from '../helpers/objectives';
import { thrownBy } from '../helpers/thrown';

// Saturday 31 October 2026, 21:00 UTC: the Berlin month ends 2 h later, the ISO week 27 h later.
const T0 = Date.UTC(2026, 9, 31, 21, 0, 0);
const SERVICES = ['checkout', 'cart'] as const;
const ROUTES = ['/a', '/b', '/c', '/d'] as const;

/** Rolling with group_by and overflow, calendar month with latency, timeslices, calendar week per service. */
function objectives(overrides: Partial<Record<string, Partial<ObjectiveSpec>>> = {}): ObjectiveSpec[] {
  return [
    objectiveSpec({ name: 'routes', groupBy: ['http.route'], maxSeries: 3, ...overrides.routes }),
    objectiveSpec({
      name: 'latency-month',
      service: 'checkout',
      sli: { kind: 'latency', thresholdMs: 300 },
      objective: 0.99,
      period: { kind: 'calendar', unit: 'month', timeZone: 'Europe/Berlin' },
      ...overrides['latency-month'],
    }),
    objectiveSpec({
      name: 'slices',
      objective: 0.99,
      period: { kind: 'rolling', durationMs: 7 * DAY_MS },
      budgeting: { kind: 'timeslices', sliceMs: MINUTE_MS, target: 0.95 },
      ...overrides.slices,
    }),
    objectiveSpec({ name: 'weekly', period: { kind: 'calendar', unit: 'week', timeZone: 'UTC' }, minEvents: 5, ...overrides.weekly }),
  ];
}

interface Spans {
  readonly kind: 'spans';
  readonly count: number;
  readonly bad: number;
  readonly service: number;
  readonly route: number;
  readonly slow: boolean;
  /** How far in the past the spans ended (late batches reach older buckets, or none). */
  readonly lagMs: number;
}
type Op = Spans | { readonly kind: 'advance'; readonly ms: number } | { readonly kind: 'collect' };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('spans' as const),
      count: fc.integer({ min: 1, max: 12 }),
      bad: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 12 })),
      service: fc.integer({ min: 0, max: SERVICES.length - 1 }),
      route: fc.integer({ min: 0, max: ROUTES.length - 1 }),
      slow: fc.boolean(),
      lagMs: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 3 * HOUR_MS }), fc.integer({ min: 0, max: 8 * DAY_MS })),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.oneof(fc.integer({ min: 1, max: MINUTE_MS }), fc.integer({ min: 1, max: 40 * MINUTE_MS }), fc.integer({ min: 1, max: 7 * HOUR_MS })),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'collect' as const }) },
);

function span(clock: ManualClock, s: Spans, bad: boolean): SpanSample {
  const sample = new SpanSample();
  sample.service = SERVICES[s.service] ?? 'checkout';
  sample.kind = OtlpSpanKind.SERVER;
  sample.name = 'GET';
  sample.statusCode = bad ? OtlpStatusCode.ERROR : OtlpStatusCode.UNSET;
  sample.durationMs = s.slow ? 450 : 20;
  sample.endTimeMs = clock.now() - s.lagMs;
  sample.attributes = { 'http.route': ROUTES[s.route] ?? '/a', 'http.response.status_code': bad ? 503 : 200 };
  return sample;
}

/** Every figure `collect` reports, as plain data, in visiting order. */
function statuses(engine: SloEngine): unknown[] {
  const rows: unknown[] = [];
  engine.collect((series, status, periodLabel) => {
    rows.push({
      slo: series.objective.name,
      labels: { ...series.labels },
      overflow: series.overflow,
      lateEvents: series.lateEvents,
      periodLabel,
      good: status.goodEvents,
      bad: status.badEvents,
      windowTotal: Array.from(status.windowTotal),
      windowErrorRatio: Array.from(status.windowErrorRatio),
      windowBurnRate: Array.from(status.windowBurnRate),
      periodMs: status.periodMs,
      periodStartMs: status.periodStartMs,
      periodTotal: status.periodTotal,
      periodErrorRatio: status.periodErrorRatio,
      errorBudgetRemaining: status.errorBudgetRemaining,
      budgetExhaustionSeconds: status.budgetExhaustionSeconds,
      pageFiring: status.pageFiring,
      ticketFiring: status.ticketFiring,
    });
  });
  return rows;
}

/** Applies the ops; returns the statuses of every collect and a final one. */
function run(engine: SloEngine, clock: ManualClock, ops: readonly Op[]): unknown[][] {
  const seen: unknown[][] = [];
  for (const o of ops) {
    if (o.kind === 'advance') clock.advance(o.ms);
    else if (o.kind === 'collect') seen.push(statuses(engine));
    else for (let j = 0; j < o.count; j++) engine.record(span(clock, o, j < o.bad));
  }
  seen.push(statuses(engine));
  return seen;
}

function engineAt(startMs: number, specs: readonly ObjectiveSpec[] = objectives()): { engine: SloEngine; clock: ManualClock; events: SloAlertEvent[] } {
  const clock = new ManualClock(startMs);
  const events: SloAlertEvent[] = [];
  const engine = new SloEngine(specs, { clock, onAlert: (e) => events.push(e) });
  return { engine, clock, events };
}

/** Exported, then through v8.serialize / v8.deserialize as the storage extension stores it. */
function savedState(engine: SloEngine): unknown {
  return deserialize(serialize(engine.exportState()));
}

const burst = (clock: ManualClock, engine: SloEngine, count: number, bad: number, route = 0): void => {
  for (let j = 0; j < count; j++) engine.record(span(clock, { kind: 'spans', count, bad, service: 0, route, slow: false, lagMs: 0 }, j < bad));
};

const edges = (events: readonly SloAlertEvent[]): string[] =>
  events.map((e) => `${e.slo}${JSON.stringify(e.labels)} ${e.severity} ${e.state} ${e.shortWindow}/${e.longWindow} at +${(e.atMs - T0) / MINUTE_MS}m`);

describe('SloEngine exportState / restoreState', () => {
  it('property: after a v8 round trip, a fresh engine continues exactly like the original (statuses and alert edges)', () => {
    const coverage = { firingAtSnapshot: 0, edgesAfter: 0, overflowAtSnapshot: 0 };
    fc.assert(
      fc.property(fc.array(op, { minLength: 10, maxLength: 60 }), fc.array(op, { maxLength: 60 }), (prefix, continuation) => {
        const a = engineAt(T0);
        run(a.engine, a.clock, prefix);
        const state = savedState(a.engine);
        a.events.length = 0;

        const b = engineAt(a.clock.now());
        expect(b.engine.restoreState(state)).toEqual({ restored: 4, skipped: 0, reasons: [] });
        expect(b.engine.seriesCount).toBe(a.engine.seriesCount);
        expect(b.engine.exportState()).toEqual(a.engine.exportState());

        const fromA = run(a.engine, a.clock, continuation);
        const fromB = run(b.engine, b.clock, continuation);
        expect(fromB).toEqual(fromA);
        expect(b.events).toEqual(a.events);

        const saved = state as SloEngineState;
        if (saved.objectives.some((o) => o.series.some((s) => s.alert.page !== null || s.alert.ticket !== null))) coverage.firingAtSnapshot++;
        if (saved.objectives.some((o) => o.series.some((s) => s.overflow))) coverage.overflowAtSnapshot++;
        if (a.events.length > 0) coverage.edgesAfter++;
      }),
      { numRuns: 50 },
    );
    // The generator must really reach the interesting cases, or the property proves little.
    expect(coverage.firingAtSnapshot).toBeGreaterThan(5);
    expect(coverage.edgesAfter).toBeGreaterThan(5);
    expect(coverage.overflowAtSnapshot).toBeGreaterThan(5);
  });

  it('without the restore the same continuation gives other statuses (what the property guards against)', () => {
    const a = engineAt(T0);
    burst(a.clock, a.engine, 20, 5);
    a.clock.advance(MINUTE_MS);
    const b = engineAt(a.clock.now());
    const continuation: Op[] = [{ kind: 'spans', count: 3, bad: 1, service: 0, route: 0, slow: false, lagMs: 0 }];
    expect(run(b.engine, b.clock, continuation)).not.toEqual(run(a.engine, a.clock, continuation));
  });

  it('an alert firing before the snapshot does not fire again after restore, and resolves as on the original', () => {
    const specs = [objectiveSpec({ name: 'checkout' })];
    const a = engineAt(T0, specs);
    burst(a.clock, a.engine, 100, 50);
    a.engine.evaluate();
    expect(edges(a.events)).toEqual([
      'checkout{"service":"checkout"} page firing 5m/1h at +0m',
      'checkout{"service":"checkout"} ticket firing 2h/1d at +0m',
    ]);
    const state = savedState(a.engine);
    a.events.length = 0;

    const b = engineAt(a.clock.now(), specs);
    b.engine.restoreState(state);
    const cold = engineAt(a.clock.now(), specs);
    for (const { engine, clock } of [a, b, cold]) {
      clock.advance(MINUTE_MS);
      burst(clock, engine, 100, 50);
      engine.evaluate(); // still burning: no new edge on a restored engine
      clock.advance(7 * HOUR_MS); // every short window clean by now
      burst(clock, engine, 100, 0);
      engine.evaluate();
    }
    const resolved = [
      'checkout{"service":"checkout"} page resolved 5m/1h at +421m',
      'checkout{"service":"checkout"} ticket resolved 2h/1d at +421m',
    ];
    expect(edges(a.events)).toEqual(resolved);
    expect(edges(b.events)).toEqual(resolved);
    expect(b.events).toEqual(a.events);
    // A cold start would have paged again for the same incident.
    expect(edges(cold.events)).toContain('checkout{"service":"checkout"} page firing 5m/1h at +1m');

    // Resolving at the first evaluation after the restore reports the rule saved in the snapshot.
    const direct = engineAt(a.clock.now(), specs);
    direct.engine.restoreState(state);
    direct.clock.set(T0 + 7 * HOUR_MS);
    direct.engine.evaluate();
    expect(edges(direct.events)).toEqual([
      'checkout{"service":"checkout"} page resolved 5m/1h at +420m',
      'checkout{"service":"checkout"} ticket resolved 2h/1d at +420m',
    ]);
  });

  it('restores group_by series and the overflow series through the bounded index', () => {
    const a = engineAt(T0);
    for (let route = 0; route < ROUTES.length; route++) burst(a.clock, a.engine, 2 + route, 1, route);
    const b = engineAt(a.clock.now());
    b.engine.restoreState(savedState(a.engine));
    const routes = (engine: SloEngine): string[] => {
      const out: string[] = [];
      engine.collect((s, status) => {
        if (s.objective.name === 'routes') out.push(`${s.labels['http.route']} ${s.overflow} ${status.goodEvents}/${status.badEvents}`);
      });
      return out;
    };
    expect(routes(b.engine)).toEqual(['/a false 1/1', '/b false 2/1', '/c false 3/1', `${OVERFLOW_LABEL_VALUE} true 4/1`]);
    // A route never seen goes to the overflow series on both, as max_series is still 3.
    for (const { clock, engine } of [a, b]) burst(clock, engine, 1, 1, 3);
    expect(routes(b.engine)).toEqual(routes(a.engine));
    expect(routes(b.engine)[3]).toBe(`${OVERFLOW_LABEL_VALUE} true 4/2`);
  });

  it('with max_series lowered, restores what fits and says what did not', () => {
    const a = engineAt(T0);
    for (let route = 0; route < ROUTES.length; route++) burst(a.clock, a.engine, 2, 1, route);
    const b = engineAt(a.clock.now(), objectives({ routes: { maxSeries: 2 } }));
    const summary = b.engine.restoreState(savedState(a.engine));
    expect(summary).toEqual({
      restored: 4,
      skipped: 0,
      reasons: ['objective "routes": 1 saved series beyond max_series 2 not restored (their label sets count in the overflow series from now on)'],
    });
    const labels: string[] = [];
    b.engine.collect((s) => s.objective.name === 'routes' && labels.push(s.labels['http.route'] ?? ''));
    expect(labels).toEqual(['/a', '/b', OVERFLOW_LABEL_VALUE]);
  });

  it('skips an objective whose definition changed, or that is gone, with a reason; restores the others', () => {
    const a = engineAt(T0);
    burst(a.clock, a.engine, 10, 2);
    const state = savedState(a.engine);
    const b = engineAt(a.clock.now(), [
      ...objectives({ routes: { objective: 0.995 }, slices: { groupBy: ['http.route'] }, weekly: { period: { kind: 'calendar', unit: 'week', timeZone: 'Europe/Berlin' } } }).slice(0, 3),
      objectiveSpec({ name: 'new-one' }),
    ]);
    const summary = b.engine.restoreState(state);
    expect(summary).toEqual({
      restored: 1,
      skipped: 3,
      reasons: [
        'objective "routes" starts cold: objective changed (0.999 → 0.995)',
        'objective "slices" starts cold: groupBy changed ([] → ["http.route"])',
        'objective "weekly" is no longer configured: its saved state is dropped',
      ],
    });
    const counted: string[] = [];
    b.engine.collect((s, status) => counted.push(`${s.objective.name} ${status.goodEvents}/${status.badEvents}`));
    expect(counted).toEqual(['latency-month 10/0']);

    const c = engineAt(a.clock.now(), objectives({ 'latency-month': { sli: { kind: 'latency', thresholdMs: 250 }, budgeting: { kind: 'timeslices', sliceMs: MINUTE_MS, target: 0.9 } } }));
    expect(c.engine.restoreState(state).reasons).toEqual([
      'objective "latency-month" starts cold: sli changed (latency > 300 ms → latency > 250 ms); budgeting changed (occurrences → timeslices of 60000 ms at 0.9)',
    ]);
    const d = engineAt(a.clock.now(), objectives({ routes: { period: { kind: 'rolling', durationMs: 28 * DAY_MS }, alerting: { page: true, ticket: false, windows: [] } } }));
    expect(d.engine.restoreState(state).reasons).toEqual([
      'objective "routes" starts cold: period changed (rolling 2592000000 ms → rolling 2419200000 ms); alerting changed (' +
        'page quick 300000/3600000 ms 2%; page slow 1800000/21600000 ms 5%; ticket quick 7200000/86400000 ms 10%; ticket slow 21600000/259200000 ms 10% → )',
    ]);
  });

  it('skips an objective whose saved series do not fit, never restoring part of it', () => {
    const a = engineAt(T0);
    for (let route = 0; route < 3; route++) burst(a.clock, a.engine, 3, 1, route);
    const state = a.engine.exportState();
    const routes = state.objectives[0]!;
    const odd = new BucketRing(30_000, 360).exportState();
    const tampered = {
      ...state,
      objectives: [
        { ...routes, series: routes.series.map((s, i) => (i === 2 ? { ...s, window: { ...s.window, fine: odd } } : s)) },
        { ...state.objectives[1]!, series: state.objectives[1]!.series.map((s) => ({ ...s, labelValues: ['checkout', 'extra'] })) },
        state.objectives[2]!,
        { ...state.objectives[3]!, series: [state.objectives[3]!.series[0]!, state.objectives[3]!.series[0]!] },
      ],
    };
    const b = engineAt(a.clock.now());
    expect(b.engine.restoreState(deserialize(serialize(tampered)))).toEqual({
      restored: 1,
      skipped: 3,
      reasons: [
        'objective "routes" starts cold: series 2: bucket ring of 360 × 30000 ms saved, 360 × 60000 ms expected',
        'objective "latency-month" starts cold: series 0 has 2 label values, 1 expected (service)',
        'objective "weekly" starts cold: series 1 (["checkout"]) is saved twice',
      ],
    });
    const names: string[] = [];
    b.engine.collect((s) => names.push(s.objective.name));
    expect(names).toEqual(['slices']);
  });

  it('throws a TypeError naming the field for a malformed state, and changes nothing', () => {
    const a = engineAt(T0);
    burst(a.clock, a.engine, 4, 1);
    const good = a.engine.exportState();
    const before = a.engine.exportState();
    const series0 = good.objectives[0]!.series[0]!;
    const withSeries = (patch: Record<string, unknown>): unknown => ({
      ...good,
      objectives: [{ ...good.objectives[0]!, series: [{ ...series0, ...patch }] }, ...good.objectives.slice(1)],
    });
    const cases: [unknown, string][] = [
      [null, 'state: expected an object, got null'],
      [[], 'state: expected an object, got Array'],
      [{ ...good, format: 2 }, 'state.format: expected format 1, got number 2'],
      [{ ...good, objectives: {} }, 'state.objectives: expected an array, got object'],
      [{ ...good, objectives: [...good.objectives, good.objectives[0]] }, 'state.objectives[4].name: objective "routes" appears twice'],
      [{ ...good, objectives: [{ ...good.objectives[0]!, fingerprint: { sli: 1 } }] }, 'state.objectives[0].fingerprint.sli: expected a string, got number 1'],
      [withSeries({ goodEvents: -1 }), 'state.objectives[0].series[0].goodEvents: expected a finite number >= 0, got number -1'],
      [withSeries({ labelValues: 'checkout' }), 'state.objectives[0].series[0].labelValues: expected an array, got string'],
      [withSeries({ window: { ...series0.window, fine: { ...series0.window.fine, totals: Array.from(series0.window.fine.totals) } } }),
        'state.objectives[0].series[0].window.fine.totals: expected a Float64Array of 360 numbers, got Array'],
      [withSeries({ alert: { ...series0.alert, page: { sinceMs: 0, rule: 9 } } }), 'state.objectives[0].series[0].alert.page.rule: rule 9 does not exist (4 rules saved)'],
    ];
    for (const [value, message] of cases) {
      expect(thrownBy(TypeError, () => a.engine.restoreState(value)).message).toBe(message);
    }
    expect(a.engine.exportState()).toEqual(before);
  });

  it('called after records, replaces the state of the series it restores and leaves the others alone', () => {
    const a = engineAt(T0, [objectiveSpec({ name: 'routes', groupBy: ['http.route'] })]);
    burst(a.clock, a.engine, 5, 1, 0);
    const state = savedState(a.engine);
    const b = engineAt(T0, [objectiveSpec({ name: 'routes', groupBy: ['http.route'] })]);
    burst(b.clock, b.engine, 7, 7, 0);
    burst(b.clock, b.engine, 2, 0, 1);
    b.engine.restoreState(state);
    const counts: string[] = [];
    b.engine.collect((s, status) => counts.push(`${s.labels['http.route']} ${status.goodEvents}/${status.badEvents} ${status.windowTotal[0]}`));
    expect(counts).toEqual(['/a 4/1 5', '/b 2/0 2']);
  });

  it('is structured-clone-able and states its size: ~21.9 KB of arrays per 30d series, ~10.4 KB per calendar series', () => {
    const rolling = engineAt(T0, [objectiveSpec()]);
    burst(rolling.clock, rolling.engine, 1, 0);
    const state = rolling.engine.exportState();
    expect(structuredClone(state)).toEqual(state);
    const perSeries = serialize(state).length;
    expect(perSeries).toBeGreaterThanOrEqual(21_888);
    expect(perSeries).toBeLessThan(21_888 + 1_024);

    const calendar = engineAt(T0, [objectiveSpec({ period: { kind: 'calendar', unit: 'month', timeZone: 'UTC' } })]);
    burst(calendar.clock, calendar.engine, 1, 0);
    const calendarBytes = serialize(calendar.engine.exportState()).length;
    expect(calendarBytes).toBeGreaterThanOrEqual(10_368);
    expect(calendarBytes).toBeLessThan(10_368 + 1_024);
  });
});
