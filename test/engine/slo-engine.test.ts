import { describe, it, expect } from 'vitest';
import { ManualClock } from '../../src/clock';
import { SloEngine } from '../../src/engine/slo-engine';
import { SpanSample, OtlpSpanKind, OtlpStatusCode } from '../../src/engine/span-sample';
import type { SloAlertEvent } from '../../src/engine/slo-alert-event';
import type { SloStatus } from '../../src/engine/slo-status';
import { OVERFLOW_LABEL_VALUE } from '../../src/engine/bounded-series-index';
import { MINUTE_MS } from '../../src/slo/durations';
import { googleAlertWindows } from '../../src/slo/alert-windows';
import { objectiveSpec } from '../helpers/objectives';

const T0 = Date.UTC(2026, 10, 2, 0, 0, 0);

function serverSpan(clock: ManualClock, fields: { service?: string; status?: number; ms?: number; route?: string; method?: string; error?: boolean; kind?: number; name?: string; attrs?: Record<string, unknown> } = {}): SpanSample {
  const s = new SpanSample();
  s.service = fields.service ?? 'checkout';
  s.kind = fields.kind ?? OtlpSpanKind.SERVER;
  s.name = fields.name ?? 'GET';
  s.statusCode = fields.error ? OtlpStatusCode.ERROR : OtlpStatusCode.UNSET;
  s.durationMs = fields.ms ?? 10;
  s.endTimeMs = clock.now();
  s.attributes = {
    'http.request.method': fields.method ?? 'GET',
    'http.route': fields.route ?? '/cart',
    'http.response.status_code': fields.status ?? 200,
    ...fields.attrs,
  };
  return s;
}

interface Row {
  slo: string;
  labels: Record<string, string>;
  good: number;
  bad: number;
  burn5m: number;
  remaining: number;
  page: boolean;
}

function rows(engine: SloEngine): Row[] {
  const out: Row[] = [];
  engine.collect((series, status: SloStatus) => {
    out.push({
      slo: series.objective.name,
      labels: { ...series.labels },
      good: status.goodEvents,
      bad: status.badEvents,
      burn5m: status.windowBurnRate[0]!,
      remaining: status.errorBudgetRemaining,
      page: status.pageFiring,
    });
  });
  return out;
}

describe('SloEngine classification', () => {
  it('counts availability from ERROR status and server 5xx, under both HTTP conventions', () => {
    const clock = new ManualClock(T0);
    const engine = new SloEngine([objectiveSpec()], { clock });
    engine.record(serverSpan(clock, { status: 200 }));
    engine.record(serverSpan(clock, { status: 404 }));
    engine.record(serverSpan(clock, { status: 503 }));
    engine.record(serverSpan(clock, { error: true }));
    const old = serverSpan(clock);
    old.attributes = { 'http.method': 'GET', 'http.route': '/cart', 'http.status_code': 500 };
    engine.record(old);
    const oldString = serverSpan(clock);
    oldString.attributes = { 'http.status_code': '502' };
    engine.record(oldString);
    // A client span's 5xx is the callee's failure: not matched by a server selector anyway.
    engine.record(serverSpan(clock, { kind: OtlpSpanKind.CLIENT, status: 500 }));
    const [row] = rows(engine);
    expect(row).toMatchObject({ slo: 'availability', labels: { service: 'checkout' }, good: 2, bad: 4 });
  });

  it('counts latency against the threshold (strictly above is bad)', () => {
    const clock = new ManualClock(T0);
    const engine = new SloEngine([objectiveSpec({ name: 'latency', sli: { kind: 'latency', thresholdMs: 300 }, objective: 0.95 })], { clock });
    for (const ms of [10, 299.9, 300, 300.1, 5000]) engine.record(serverSpan(clock, { ms }));
    expect(rows(engine)[0]).toMatchObject({ good: 3, bad: 2 });
  });

  it('keeps one series per service when the objective names none, and filters by service when it does', () => {
    const clock = new ManualClock(T0);
    const engine = new SloEngine([objectiveSpec({ name: 'all' }), objectiveSpec({ name: 'cart-only', service: 'cart' })], { clock });
    engine.record(serverSpan(clock, { service: 'checkout' }));
    engine.record(serverSpan(clock, { service: 'cart' }));
    engine.record(serverSpan(clock, { service: 'cart', status: 500 }));
    expect(rows(engine).map((r) => [r.slo, r.labels.service, r.good, r.bad])).toEqual([
      ['all', 'checkout', 1, 0],
      ['all', 'cart', 1, 1],
      ['cart-only', 'cart', 1, 1],
    ]);
  });

  it('matches operations exactly and by glob, and attributes from the span or the resource', () => {
    const clock = new ManualClock(T0);
    const engine = new SloEngine(
      [
        objectiveSpec({
          name: 'selected',
          selector: { spanKind: 'server', operations: ['POST /checkout', 'GET /cart*'], attributes: { 'deployment.environment': 'prod' } },
        }),
      ],
      { clock },
    );
    const prod = { 'deployment.environment': 'prod' };
    const withResource = (s: SpanSample): SpanSample => ((s.resourceAttributes = prod), s);
    engine.record(withResource(serverSpan(clock, { method: 'POST', route: '/checkout' })));
    engine.record(withResource(serverSpan(clock, { method: 'GET', route: '/cart/items' })));
    engine.record(withResource(serverSpan(clock, { method: 'GET', route: '/cart' })));
    engine.record(withResource(serverSpan(clock, { method: 'GET', route: '/checkout' })));
    engine.record(serverSpan(clock, { method: 'POST', route: '/checkout' })); // no prod attribute
    engine.record(serverSpan(clock, { method: 'POST', route: '/checkout', attrs: prod }));
    const noRoute = withResource(serverSpan(clock, { name: 'POST /checkout' }));
    noRoute.attributes = {};
    engine.record(noRoute); // falls back to the span name
    expect(rows(engine)[0]).toMatchObject({ good: 5, bad: 0 });
  });
});

describe('SloEngine cardinality', () => {
  it('keeps 100 000 distinct routes at max_series plus one overflow series', () => {
    const clock = new ManualClock(T0);
    const engine = new SloEngine([objectiveSpec({ groupBy: ['http.route'], maxSeries: 50 })], { clock });
    for (let i = 0; i < 100_000; i++) engine.record(serverSpan(clock, { route: `/items/${i}`, status: i % 10 === 0 ? 500 : 200 }));
    expect(engine.seriesCount).toBe(51);
    const all = rows(engine);
    expect(all).toHaveLength(51);
    const overflow = all.filter((r) => r.labels['http.route'] === OVERFLOW_LABEL_VALUE);
    expect(overflow).toHaveLength(1);
    expect(overflow[0]!.labels.service).toBe(OVERFLOW_LABEL_VALUE);
    // Nothing is lost: the overflow series holds every event beyond the cap.
    expect(all.reduce((n, r) => n + r.good + r.bad, 0)).toBe(100_000);
    expect(overflow[0]!.good + overflow[0]!.bad).toBe(100_000 - 50);
    // Known series keep counting after the cap is reached.
    engine.record(serverSpan(clock, { route: '/items/0' }));
    expect(rows(engine).find((r) => r.labels['http.route'] === '/items/0')!.good).toBe(1);
  });
});

describe('SloEngine alerts with a fake clock', () => {
  it('reports a throwing alert listener to onError and still delivers to the others', () => {
    const clock = new ManualClock(T0);
    const errors: unknown[] = [];
    const delivered: SloAlertEvent[] = [];
    const engine = new SloEngine([objectiveSpec()], {
      clock,
      onAlert: () => {
        throw new Error('listener down');
      },
      onError: (error) => errors.push(error),
    });
    engine.subscribe((event) => delivered.push(event));
    for (let m = 0; m < 10; m++) {
      for (let i = 0; i < 100; i++) engine.record(serverSpan(clock, { status: i < 50 ? 500 : 200 }));
      clock.advance(MINUTE_MS);
    }
    expect(() => engine.evaluate()).not.toThrow();
    expect(delivered.length).toBeGreaterThan(0);
    expect(errors).toHaveLength(delivered.length);
    expect(errors[0]).toEqual(new Error('listener down'));
  });

  it('reports the slow page rule (30m/6h, 6x) when it holds first', () => {
    const clock = new ManualClock(T0);
    const events: SloAlertEvent[] = [];
    const engine = new SloEngine([objectiveSpec()], { clock, onAlert: (e) => events.push(e) });
    // Eight healthy hours, then a steady 1% error rate: a 10x burn, above 6x but under 14.4x.
    for (let m = 0; m < 8 * 60; m++) {
      for (let i = 0; i < 100; i++) engine.record(serverSpan(clock));
      clock.advance(MINUTE_MS);
    }
    const page = (): SloAlertEvent | undefined => events.find((e) => e.severity === 'page');
    for (let m = 0; m < 6 * 60 && page() === undefined; m++) {
      for (let i = 0; i < 100; i++) engine.record(serverSpan(clock, { status: i === 0 ? 500 : 200 }));
      engine.evaluate();
      clock.advance(MINUTE_MS);
    }
    expect(page()).toMatchObject({ severity: 'page', state: 'firing', shortWindow: '30m', longWindow: '6h', factor: 6 });
    // The ticket's 6h/3d rule (1x) holds much earlier: k bad among 100·(480 + k) events in 3d exceeds 0.1% at k = 54.
    expect(events[0]).toMatchObject({ severity: 'ticket', state: 'firing', shortWindow: '6h', longWindow: '3d', factor: 1 });
  });

  it('fires page exactly when both 5m and 1h exceed 14.4x, and resolves when the 5m window recovers', () => {
    const clock = new ManualClock(T0);
    const events: SloAlertEvent[] = [];
    const quickPage = googleAlertWindows().filter((w) => w.severity === 'page' && w.speed === 'quick');
    const engine = new SloEngine([objectiveSpec({ minEvents: 20, alerting: { page: true, ticket: false, windows: quickPage } })], {
      clock,
      onAlert: (e) => events.push(e),
    });
    // One hour of healthy traffic: 100 requests a minute.
    for (let m = 0; m < 60; m++) {
      for (let i = 0; i < 100; i++) engine.record(serverSpan(clock));
      clock.advance(MINUTE_MS);
      engine.evaluate();
    }
    expect(events).toEqual([]);
    // 5% errors is a 50x burn at 99.9%: page once both 5m and 1h are above 14.4x.
    let firedAt = -1;
    for (let m = 0; m < 30 && firedAt < 0; m++) {
      for (let i = 0; i < 100; i++) engine.record(serverSpan(clock, { status: i < 5 ? 500 : 200 }));
      engine.evaluate();
      if (events.some((e) => e.severity === 'page' && e.state === 'firing')) firedAt = m;
      clock.advance(MINUTE_MS);
    }
    const fired = events.find((e) => e.severity === 'page' && e.state === 'firing')!;
    expect(fired).toMatchObject({ slo: 'availability', labels: { service: 'checkout' }, shortWindow: '5m', longWindow: '1h', factor: 14.4 });
    expect(fired.shortBurnRate).toBeGreaterThan(14.4);
    expect(fired.longBurnRate).toBeGreaterThan(14.4);
    // The 5m window is at 5% (> 1.44%) from the first error minute; the 1h window (60 one-minute
    // buckets) holds k error minutes of 5 bad in 100 among 6000 events: 5k/6000 > 0.0144 first at k = 18.
    expect(firedAt).toBe(17);
    // Errors stop: after j clean minutes the 5m window holds 5(5-j) bad of 500: above 1.44% until j = 4.
    let resolvedAfter = -1;
    for (let m = 1; m <= 10 && resolvedAfter < 0; m++) {
      for (let i = 0; i < 100; i++) engine.record(serverSpan(clock));
      engine.evaluate();
      if (events.some((e) => e.severity === 'page' && e.state === 'resolved')) resolvedAfter = m;
      clock.advance(MINUTE_MS);
    }
    expect(resolvedAfter).toBe(4);
    expect(events.map((e) => `${e.severity}:${e.state}`)).toEqual(['page:firing', 'page:resolved']);
  });

  it('does not alert on low traffic under min_events, even at 100% errors', () => {
    const clock = new ManualClock(T0);
    const events: SloAlertEvent[] = [];
    const engine = new SloEngine([objectiveSpec({ minEvents: 20 })], { clock, onAlert: (e) => events.push(e) });
    for (let m = 0; m < 120; m++) {
      if (m % 10 === 0) engine.record(serverSpan(clock, { status: 500 })); // 12 events in two hours: every short window stays under 20
      clock.advance(MINUTE_MS);
      engine.evaluate();
    }
    expect(events).toEqual([]);
    const status = rows(engine)[0]!;
    expect(status.page).toBe(false);
    expect(status.remaining).toBeLessThan(0);
  });
});
