import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import { AnomalyEngine } from '../../src/engine/anomaly-engine';
import { describeAnomaly } from '../../src/engine/anomaly-event';
import type { AnomalyEvent } from '../../src/engine/anomaly-event';
import { BaselineEngine } from '../../src/engine/baseline-engine';
import { BaselineSpanSample } from '../../src/engine/baseline-span-sample';
import { OtlpSpanKind, OtlpStatusCode } from '../../src/engine/span-sample';
import { BASELINE_SIGNALS } from '../../src/baseline/baseline-signal';
import type { BaselineSignal } from '../../src/baseline/baseline-signal';
import { doubleDetectors } from '../baseline/detector-double';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 2, 10, 0, 0);
const trace = (n: number): string => n.toString(16).padStart(32, '0');

interface Setup {
  clock: ManualClock;
  baseline: BaselineEngine;
  anomaly: AnomalyEngine;
  events: AnomalyEvent[];
  /** One interval of traffic on each route: 20 spans of `ms` (× scale for the route), `failed` of them failed. */
  interval(spec: Record<string, { scale?: number; failed?: number; spans?: number }>): void;
}

function setup(options: { signals?: BaselineSignal[]; maxRecentEvents?: number; idleMs?: number; emptyIntervalsToEndAnomaly?: number } = {}): Setup {
  const clock = new ManualClock(T0);
  const { idleMs, emptyIntervalsToEndAnomaly, ...anomalyOptions } = options;
  const baseline = new BaselineEngine({
    clock,
    idleMs: idleMs ?? 24 * 60 * MINUTE,
    model: { modelledSignals: [...BASELINE_SIGNALS], createDetector: doubleDetectors([], 3, 1.5), ...(emptyIntervalsToEndAnomaly !== undefined && { emptyIntervalsToEndAnomaly }) },
  });
  const events: AnomalyEvent[] = [];
  const anomaly = new AnomalyEngine(baseline, { ...anomalyOptions, onAnomaly: (e) => events.push(e) });
  const sample = new BaselineSpanSample();
  sample.kind = OtlpSpanKind.SERVER;
  sample.service = 'shop';
  let id = 0;
  return {
    clock,
    baseline,
    anomaly,
    events,
    interval(spec) {
      for (const [route, { scale = 1, failed = 0, spans = 20 }] of Object.entries(spec)) {
        sample.attributes = { 'http.request.method': 'GET', 'http.route': route };
        for (let i = 0; i < spans; i++) {
          sample.durationMs = (10 + i) * scale;
          sample.statusCode = i < failed ? OtlpStatusCode.ERROR : OtlpStatusCode.UNSET;
          sample.traceId = trace(++id);
          baseline.record(sample);
        }
      }
      clock.advance(MINUTE);
      baseline.rollUp();
    },
  };
}

const steady = { '/a': {}, '/b': {} };

describe('AnomalyEngine', () => {
  it('reports one start when a watched signal turns anomalous and one end when it recovers, with evidence', () => {
    const t = setup({ signals: ['latency_p99'] });
    for (let i = 0; i < 5; i++) t.interval(steady);
    expect(t.events).toEqual([]);
    t.interval({ '/a': { scale: 3 }, '/b': {} });
    t.interval({ '/a': { scale: 3 }, '/b': {} });
    expect(t.events).toHaveLength(1);
    const [start] = t.events as [AnomalyEvent];
    expect(start).toMatchObject({
      edge: 'start',
      key: { service: 'shop', operation: 'GET /a', spanKind: 'server' },
      signal: 'latency_p99',
      unit: 'ms',
      atMs: T0 + 6 * MINUTE,
      startedAtMs: T0 + 5 * MINUTE,
      endedAtMs: undefined,
      score: 0.9,
      spanCount: 20,
    });
    // p99 of 20 spans is the 19th slowest: 28 ms, then ×3 (within the sketch's 1 %).
    expect(Math.abs(start.observed! / 84 - 1)).toBeLessThanOrEqual(0.01);
    expect(start.observed! / start.expected!.center).toBeCloseTo(3, 1);
    expect(start.traceIds).toEqual([trace(220), trace(219), trace(218)]); // the slowest spans of /a in that interval (5 intervals × 40 spans before it)
    expect(start.recent).toHaveLength(6);
    expect(start.recent[5]).toBe(Math.fround(start.observed!)); // the ring stores float32
    expect(t.anomaly.activeKeys).toBe(1);
    const a = t.baseline.find(Object.assign(new BaselineSpanSample(), { service: 'shop', kind: OtlpSpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/a' } }));
    expect(a !== undefined && t.anomaly.isActive(a)).toBe(true);

    t.interval(steady);
    expect(t.events.map((e) => e.edge)).toEqual(['start', 'end']);
    expect(t.events[1]).toMatchObject({ edge: 'end', startedAtMs: T0 + 5 * MINUTE, atMs: T0 + 8 * MINUTE, endedAtMs: T0 + 8 * MINUTE });
    expect(t.anomaly.activeKeys).toBe(0);
    expect(t.anomaly.startCount('latency_p99')).toBe(1);
    expect(t.anomaly.endCount('latency_p99')).toBe(1);
  });

  it('watches only its signals; by default every signal the baseline models', () => {
    const t = setup({ signals: ['throughput'] });
    for (let i = 0; i < 5; i++) t.interval(steady);
    t.interval({ '/a': { scale: 3 }, '/b': {} });
    expect(t.events).toEqual([]);
    expect(setup().anomaly.signals).toEqual(BASELINE_SIGNALS);
  });

  it('gives failed spans as the evidence of an error_ratio anomaly', () => {
    const t = setup({ signals: ['error_ratio'] });
    for (let i = 0; i < 5; i++) t.interval({ '/a': { failed: 1 } });
    t.interval({ '/a': { failed: 10 } });
    expect(t.events).toHaveLength(1);
    expect(t.events[0]).toMatchObject({ signal: 'error_ratio', unit: 'ratio', observed: 0.5 });
    expect(t.events[0]?.traceIds).toEqual([trace(110), trace(109), trace(108)]); // the slowest of the 10 failed ones
  });

  it('sees a traffic drop to zero (throughput is fed every interval)', () => {
    const t = setup({ signals: ['throughput'] });
    for (let i = 0; i < 5; i++) t.interval(steady);
    t.interval({ '/b': {} });
    expect(t.events.map((e) => [e.key.operation, e.edge, e.observed])).toEqual([['GET /a', 'start', 0]]);
    expect(t.events[0]?.traceIds).toEqual([]);
  });

  it('ends the open anomalies of an evicted key', () => {
    const t = setup({ signals: ['latency_p99'], idleMs: 2 * MINUTE });
    for (let i = 0; i < 4; i++) t.interval(steady);
    t.interval({ '/a': { scale: 3 } });
    t.interval({});
    t.interval({});
    expect(t.events.map((e) => `${e.key.operation} ${e.edge}`)).toEqual(['GET /a start', 'GET /a end']);
    expect(t.anomaly.activeKeys).toBe(0);
  });

  it('ends the anomaly of a key that stops receiving spans after emptyIntervalsToEndAnomaly empty intervals (observed null)', () => {
    const t = setup({ signals: ['latency_p99', 'error_ratio'], emptyIntervalsToEndAnomaly: 3 });
    for (let i = 0; i < 5; i++) t.interval(steady);
    t.interval({ '/a': { scale: 3, failed: 15 }, '/b': {} });
    expect(t.events.map((e) => `${e.signal} ${e.edge}`)).toEqual(['latency_p99 start', 'error_ratio start']);
    t.interval({ '/b': {} });
    t.interval({ '/b': {} });
    expect(t.events).toHaveLength(2); // two empty intervals: no evidence yet that it is over
    expect(t.anomaly.activeKeys).toBe(1);
    t.interval({ '/b': {} });
    const ends = t.events.slice(2);
    expect(ends.map((e) => `${e.key.operation} ${e.signal} ${e.edge}`)).toEqual(['GET /a latency_p99 end', 'GET /a error_ratio end']);
    for (const end of ends) {
      expect(end).toMatchObject({ observed: null, spanCount: 0, atMs: T0 + 9 * MINUTE, endedAtMs: T0 + 9 * MINUTE, startedAtMs: T0 + 5 * MINUTE });
      expect(end.expected).toBeDefined();
    }
    expect(t.anomaly.activeKeys).toBe(0);
    t.interval({ '/b': {} });
    expect(t.events).toHaveLength(4); // ended once
    t.interval({ '/a': { scale: 3 }, '/b': {} }); // back, still slow: a new anomaly
    expect(t.events.slice(4).map((e) => `${e.signal} ${e.edge}`)).toEqual(['latency_p99 start']);
  });

  it('keeps the last max_recent_events events, oldest first', () => {
    const t = setup({ signals: ['latency_p99'], maxRecentEvents: 3 });
    for (let i = 0; i < 4; i++) t.interval(steady);
    for (let i = 0; i < 3; i++) {
      t.interval({ '/a': { scale: 3 }, '/b': {} });
      t.interval(steady);
    }
    expect(t.events).toHaveLength(6);
    expect(t.anomaly.recentEvents()).toEqual(t.events.slice(3));
  });

  it('keeps delivering events to the other listeners when one throws, and subscribe() adds and removes listeners', () => {
    const clock = new ManualClock(T0);
    const baseline = new BaselineEngine({ clock, model: { modelledSignals: ['latency_p99'], createDetector: doubleDetectors([], 1, 1.5) } });
    const errors: unknown[] = [];
    const anomaly = new AnomalyEngine(baseline, {
      onAnomaly: () => {
        throw new Error('listener failed');
      },
      onError: (error) => errors.push(error),
    });
    const seen: string[] = [];
    const stop = anomaly.subscribe((e) => seen.push(e.edge));
    const sample = Object.assign(new BaselineSpanSample(), { service: 's', kind: OtlpSpanKind.SERVER, name: 'op' });
    for (const ms of [10, 100, 10, 100]) {
      for (let i = 0; i < 10; i++) baseline.record(Object.assign(sample, { durationMs: ms }));
      clock.advance(MINUTE);
      baseline.rollUp();
      if (seen.length === 2) stop();
    }
    expect(seen).toEqual(['start', 'end']);
    expect(errors).toHaveLength(3);
    expect(anomaly.recentEvents().map((e) => e.edge)).toEqual(['start', 'end', 'start']);
  });

  it('refuses to watch a signal the baseline does not model', () => {
    const baseline = new BaselineEngine({ clock: new ManualClock(T0), model: { modelledSignals: ['latency_p99'], createDetector: doubleDetectors() } });
    expect(() => new AnomalyEngine(baseline, { signals: ['error_ratio'] })).toThrow('signal error_ratio is not modelled by the baseline (modelled: latency_p99)');
  });

  it('describes an event in one line', () => {
    const line = describeAnomaly({
      edge: 'start',
      key: { service: 'shop', operation: 'GET /cart', spanKind: 'server' },
      signal: 'latency_p99',
      unit: 'ms',
      atMs: T0 + MINUTE,
      startedAtMs: T0,
      endedAtMs: undefined,
      observed: 412.3,
      expected: { low: 180, center: 205.25, high: 240.5 },
      score: 0.974,
      spanCount: 312,
      traceIds: [trace(1), trace(2)],
      recent: [200, 412.3],
    });
    expect(line).toBe(
      `anomaly started: service=shop operation="GET /cart" span_kind=server signal=latency_p99 observed 412 ms, expected 205 ms (180 ms..241 ms), score 0.97, 312 spans, traces ${trace(1)},${trace(2)}`,
    );
    expect(line).not.toContain('\n');
  });
});
