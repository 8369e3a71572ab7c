import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import type { AnomalyDetectorOptions } from '../../src/anomaly/anomaly-detector-options';
import { createAnomalyDetector } from '../../src/anomaly/create-anomaly-detector';
import type { DetectorFactory } from '../../src/baseline/baseline-model';
import { BASELINE_SIGNALS, DEFAULT_MODELLED_SIGNALS, SIGNAL_COUNT, SIGNAL_INFO, SignalIndex } from '../../src/baseline/baseline-signal';
import type { BaselineSignal } from '../../src/baseline/baseline-signal';
import type { BaselineSeries } from '../../src/baseline/baseline-series';
import { AnomalyEngine } from '../../src/engine/anomaly-engine';
import type { AnomalyEvent } from '../../src/engine/anomaly-event';
import { BaselineEngine } from '../../src/engine/baseline-engine';
import type { BaselineEngineState } from '../../src/engine/baseline-engine-state';
import { BaselineSpanSample } from '../../src/engine/baseline-span-sample';
import { OtlpSpanKind, OtlpStatusCode } from '../../src/engine/span-sample';
import { SeededRandom } from '../../eval/synthetic/seeded-random';
import { doubleDetectors } from '../baseline/detector-double';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** 15-minute intervals: two days of daily pattern in 192 intervals. */
const INTERVAL = 15 * MINUTE;
const T0 = Date.UTC(2026, 0, 5);
const ROUTES = ['/a', '/b', '/c'] as const;
type Route = (typeof ROUTES)[number];

/** Per-signal detector options as the processors build them, with memories short enough for a test of two days. */
function factory(overrides: AnomalyDetectorOptions = {}): DetectorFactory {
  return (signal) => {
    const info = SIGNAL_INFO[SignalIndex[signal]]!;
    return createAnomalyDetector({
      intervalMs: INTERVAL,
      historyMs: DAY,
      warmupIntervals: 8,
      warmupMs: 2 * 60 * MINUTE,
      minCount: 10,
      rebaselineMs: 4 * 60 * MINUTE,
      direction: info.direction,
      valueKind: info.unit === 'ratio' ? 'ratio' : 'level',
      scale: info.unit === 'ratio' ? 'linear' : 'log',
      minAbsoluteChange: info.unit === 'ms' ? 5 : info.unit === 'ratio' ? 0.02 : 0.01,
      noveltyWindow: 20,
      ...overrides,
    });
  };
}

interface Span {
  readonly route: Route;
  readonly durationMs: number;
  readonly failed: boolean;
  readonly traceId: string;
}

/** Route `route` is `slowdown` times slower in the intervals listed. */
interface Incident {
  readonly route: Route;
  readonly from: number;
  readonly to: number;
  readonly slowdown: number;
}

/** The spans of interval i: a daily cycle in traffic and latency, seeded by i so every engine gets the same. */
function spansOf(i: number, incident: Incident | undefined): Span[] {
  const rng = new SeededRandom(1 + i);
  const phase = Math.sin((2 * Math.PI * ((T0 + i * INTERVAL) % DAY)) / DAY);
  const spans: Span[] = [];
  ROUTES.forEach((route, r) => {
    const n = Math.round((30 + 10 * r) * (1 + 0.5 * phase) * (1 + 0.1 * rng.normal()));
    const slow = incident !== undefined && incident.route === route && i >= incident.from && i < incident.to ? incident.slowdown : 1;
    for (let k = 0; k < n; k++) {
      const durationMs = (20 + 15 * r) * (1 + 0.3 * phase) * Math.exp(0.25 * rng.normal()) * slow;
      spans.push({ route, durationMs, failed: rng.next() < 0.01, traceId: `${i.toString(16).padStart(16, '0')}${(r * 1000 + k).toString(16).padStart(16, '0')}` });
    }
  });
  return spans;
}

interface Rig {
  readonly clock: ManualClock;
  readonly baseline: BaselineEngine;
  readonly anomaly: AnomalyEngine;
  readonly events: AnomalyEvent[];
}

function rig(options: { createDetector?: DetectorFactory; maxKeys?: number; intervalMs?: number; maxRecentEvents?: number; atMs?: number } = {}): Rig {
  const clock = new ManualClock(options.atMs ?? T0);
  const baseline = new BaselineEngine({
    clock,
    intervalMs: options.intervalMs ?? INTERVAL,
    ...(options.maxKeys !== undefined && { maxKeys: options.maxKeys }),
    model: { modelledSignals: [...BASELINE_SIGNALS], createDetector: options.createDetector ?? factory() },
  });
  const events: AnomalyEvent[] = [];
  const anomaly = new AnomalyEngine(baseline, { maxRecentEvents: options.maxRecentEvents ?? 100, onAnomaly: (e) => events.push(e) });
  return { clock, baseline, anomaly, events };
}

const sample = new BaselineSpanSample();
sample.kind = OtlpSpanKind.SERVER;
sample.service = 'shop';

function record(r: Rig, spans: readonly Span[]): void {
  for (const span of spans) {
    sample.attributes = { 'http.request.method': 'GET', 'http.route': span.route };
    sample.durationMs = span.durationMs;
    sample.statusCode = span.failed ? OtlpStatusCode.ERROR : OtlpStatusCode.UNSET;
    sample.traceId = span.traceId;
    r.baseline.record(sample);
  }
}

/** Records the first `share` of interval i's spans (the clock half-way through it). */
function firstPart(rigs: readonly Rig[], i: number, incident: Incident | undefined, share: number): void {
  const spans = spansOf(i, incident);
  for (const r of rigs) {
    r.clock.set(T0 + i * INTERVAL + INTERVAL / 2);
    record(r, spans.slice(0, Math.floor(spans.length * share)));
  }
}

/** Records the rest of interval i's spans (after `share`) and closes it. */
function lastPart(rigs: readonly Rig[], i: number, incident: Incident | undefined, share: number): void {
  const spans = spansOf(i, incident);
  for (const r of rigs) {
    record(r, spans.slice(Math.floor(spans.length * share)));
    r.clock.set(T0 + (i + 1) * INTERVAL);
    r.baseline.rollUp();
  }
}

function run(rigs: readonly Rig[], from: number, to: number, incident?: Incident): void {
  for (let i = from; i < to; i++) {
    firstPart(rigs, i, incident, 0);
    lastPart(rigs, i, incident, 0);
  }
}

/** Every reading of every key: what the metrics and events are made of. */
function readings(baseline: BaselineEngine): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  baseline.forEach((series: BaselineSeries) => {
    out[`${series.labels.service} ${series.labels.operation} ${series.labels.spanKind}`] = {
      signals: BASELINE_SIGNALS.map((_, s) => ({
        observed: series.observedValue(s),
        hasBaseline: series.hasBaseline(s),
        baseline: series.baseline(s),
        low: series.expectedLow(s),
        high: series.expectedHigh(s),
        score: series.score(s),
        anomalous: series.isAnomalous(s),
        updated: series.wasUpdated(s),
        recent: series.ring.recent(s, 30),
      })),
      count: series.lastIntervalCount,
      end: series.lastIntervalEndMs,
      slowest: series.slowestTraceIds(),
      failed: series.slowestFailedTraceIds(),
    };
  });
  return out;
}

const v8RoundTrip = (value: unknown): unknown => deserialize(serialize(value));

/** Engine B restored from A's state at A's clock time, the way the storage extension does it. */
function restoredFrom(a: Rig, options: Parameters<typeof rig>[0] = {}): { b: Rig; baselineSummary: ReturnType<BaselineEngine['restoreState']>; anomalySummary: ReturnType<AnomalyEngine['restoreState']> } {
  const baselineState = v8RoundTrip(a.baseline.exportState());
  const anomalyState = v8RoundTrip(a.anomaly.exportState());
  const b = rig({ atMs: a.clock.now(), ...options });
  const baselineSummary = b.baseline.restoreState(baselineState);
  const anomalySummary = b.anomaly.restoreState(anomalyState);
  return { b, baselineSummary, anomalySummary };
}

const latencyIncident = (from: number): Incident => ({ route: '/a', from, to: from + 8, slowdown: 4 });

describe('BaselineEngine and AnomalyEngine state', () => {
  it('a restored pair continues exactly as the uninterrupted one: readings, bands, scores and anomaly events', () => {
    const restartAt = 150;
    const incident = latencyIncident(restartAt + 6);
    const a = rig();
    run([a], 0, restartAt, incident);
    // Restart half-way through an interval: its partial counts travel with the state.
    firstPart([a], restartAt, incident, 0.5);
    expect(a.baseline.keyCount).toBe(3);
    const eventsBefore = a.events.length;
    const { b, baselineSummary, anomalySummary } = restoredFrom(a);
    expect(baselineSummary).toEqual({ restored: 3, skipped: 0, reasons: [] });
    expect(anomalySummary.skipped).toBe(0);
    expect(b.anomaly.recentEvents()).toEqual(a.anomaly.recentEvents());

    lastPart([a, b], restartAt, incident, 0.5);
    expect(readings(b.baseline)).toEqual(readings(a.baseline));
    for (let i = restartAt + 1; i < 192; i++) {
      run([a, b], i, i + 1, incident);
      expect(readings(b.baseline)).toEqual(readings(a.baseline));
    }
    const after = a.events.slice(eventsBefore);
    expect(b.events).toEqual(after);
    // The continuation is meaningful: warm baselines (no cold start) and the incident both starts and ends.
    b.baseline.forEach((series) => expect(series.hasBaseline(SignalIndex.latency_p99)).toBe(true));
    const incidentEvents = after.filter((e) => e.key.operation === 'GET /a' && e.signal.startsWith('latency'));
    expect(incidentEvents.some((e) => e.edge === 'start')).toBe(true);
    expect(incidentEvents.some((e) => e.edge === 'end')).toBe(true);
    expect(b.anomaly.recentEvents()).toEqual(a.anomaly.recentEvents());
  });

  it('an anomaly open across the restart neither starts again nor is forgotten: its end is reported', () => {
    const incident = latencyIncident(150);
    const a = rig();
    run([a], 0, 153, incident);
    const ended = (start: AnomalyEvent): boolean => a.events.some((e) => e.edge === 'end' && e.signal === start.signal && e.key.operation === start.key.operation && e.startedAtMs === start.startedAtMs);
    const open = a.events.filter((e) => e.edge === 'start' && e.key.operation === 'GET /a' && !ended(e));
    expect(open.length).toBeGreaterThan(0);
    expect(a.anomaly.isActive(a.baseline.seriesFor(open[0]!.key)!)).toBe(true);
    const eventsBefore = a.events.length;
    const { b, anomalySummary } = restoredFrom(a);
    expect(anomalySummary.restored).toBeGreaterThan(0);
    expect(anomalySummary.skipped).toBe(0);
    expect(b.anomaly.activeKeys).toBe(a.anomaly.activeKeys);
    run([a, b], 153, 192, incident);
    const after = a.events.slice(eventsBefore);
    expect(b.events).toEqual(after);
    for (const start of open) {
      const same = (e: AnomalyEvent): boolean => e.key.operation === start.key.operation && e.signal === start.signal;
      expect(b.events.filter((e) => same(e) && e.edge === 'start' && e.startedAtMs === start.startedAtMs)).toEqual([]);
      expect(b.events.filter((e) => same(e) && e.edge === 'end' && e.startedAtMs === start.startedAtMs)).toHaveLength(1);
    }
  });

  it('skips every key, with a reason, when the detector options or the interval changed', () => {
    const a = rig();
    run([a], 0, 40);
    const changed = restoredFrom(a, { createDetector: factory({ sustainIntervals: 6 }) });
    expect(changed.baselineSummary.restored).toBe(0);
    expect(changed.baselineSummary.skipped).toBe(3);
    expect(changed.baselineSummary.reasons).toEqual([expect.stringMatching(/all 3 keys start cold: modelled signals or detector options changed/)]);
    expect(changed.b.baseline.keyCount).toBe(0);

    const otherInterval = restoredFrom(a, { intervalMs: 5 * MINUTE });
    expect(otherInterval.baselineSummary).toMatchObject({ restored: 0, skipped: 3 });
    expect(otherInterval.baselineSummary.reasons[0]).toMatch(/saved with a 900000 ms interval, now 300000 ms/);
  });

  it('restores only maxKeys keys when the limit shrank, and ends the anomalies of the keys left out', () => {
    const incident: Incident = { route: '/c', from: 150, to: 170, slowdown: 4 };
    const a = rig();
    run([a], 0, 153, incident);
    expect(a.events.some((e) => e.edge === 'start' && e.key.operation === 'GET /c')).toBe(true);
    const { b, baselineSummary, anomalySummary } = restoredFrom(a, { maxKeys: 2 });
    expect(baselineSummary).toMatchObject({ restored: 2, skipped: 1 });
    expect(baselineSummary.reasons).toEqual([expect.stringMatching(/^baseline key shop "GET \/c" \(server\) starts cold: max_keys \(2\) reached/)]);
    expect(anomalySummary.restored).toBe(0);
    expect(anomalySummary.skipped).toBeGreaterThan(0);
    expect(anomalySummary.reasons[0]).toMatch(/GET \/c.*ends at restore: its baseline key was not restored/);
    // The orphaned anomalies were ended at once, with their band as evidence and no value.
    expect(b.events.length).toBe(anomalySummary.skipped);
    for (const end of b.events) expect(end).toMatchObject({ edge: 'end', key: { operation: 'GET /c' }, atMs: a.clock.now(), observed: null, spanCount: 0 });
    expect(b.anomaly.activeKeys).toBe(0);
  });

  it('a detector without state starts cold for its key (a reason), the others resume', () => {
    const a = rig({ createDetector: doubleDetectors([], 3, 1.5) });
    run([a], 0, 10);
    const { b, baselineSummary } = restoredFrom(a, { createDetector: doubleDetectors([], 3, 1.5) });
    expect(baselineSummary.restored).toBe(3);
    expect(baselineSummary.skipped).toBe(0);
    expect(baselineSummary.reasons).toHaveLength(3);
    expect(baselineSummary.reasons[0]).toMatch(/latency_p50, latency_p90, latency_p95, latency_p99, error_ratio, throughput start cold/);
    b.baseline.forEach((series) => {
      expect(series.hasBaseline(SignalIndex.latency_p50)).toBe(false);
      // What is not a detector's came back: the recent intervals.
      expect(series.ring.size).toBe(10);
    });
  });

  it('refuses a malformed state with a TypeError naming the field, and restores nothing', () => {
    const a = rig();
    run([a], 0, 12);
    const state = a.baseline.exportState();
    const b = rig();
    const key1 = state.keys[1]!;
    const broken: BaselineEngineState = { ...state, keys: [state.keys[0]!, { ...key1, ring: { ...key1.ring, counts: [1, 2] as unknown as Uint32Array } }, state.keys[2]!] };
    expect(() => b.baseline.restoreState(broken)).toThrow(TypeError);
    expect(() => b.baseline.restoreState(broken)).toThrow(/^baselineState\.keys\[1\]\.ring\.counts: expected a Uint32Array/);
    const detectors = [...state.keys[2]!.detectors];
    detectors[5] = { ...(detectors[5] as object), level: null };
    expect(() => b.baseline.restoreState({ ...state, keys: [state.keys[2]!, { ...state.keys[2]!, detectors }] })).toThrow(
      /^baselineState\.keys\[1\]\.detectors\[5\]\.level: expected a number, got null/,
    );
    expect(() => b.baseline.restoreState({ ...state, format: 2 })).toThrow(/^baselineState\.format: expected format 1, got number 2/);
    expect(() => b.baseline.restoreState([])).toThrow(/^baselineState: expected an object, got Array/);
    expect(b.baseline.keyCount).toBe(0);
    expect(() => b.anomaly.restoreState({ ...a.anomaly.exportState(), open: [{ key: { service: 's' }, signal: 'latency_p99', startedAtMs: 0, evidence: null }] })).toThrow(
      /^anomalyState\.open\[0\]\.key\.operation: expected a string, got undefined/,
    );
  });

  it('keeps the newest events when the recent ring shrank', () => {
    const a = rig({ createDetector: doubleDetectors([], 3, 1.5) });
    run([a], 0, 5);
    const events = Array.from({ length: 5 }, (_, i): AnomalyEvent => ({
      edge: 'start',
      key: { service: 's', operation: `op${i}`, spanKind: 'server' },
      signal: 'throughput',
      unit: 'spans/s',
      atMs: i,
      startedAtMs: i,
      endedAtMs: undefined,
      observed: null,
      expected: undefined,
      score: 0.5,
      spanCount: 0,
      traceIds: [],
      recent: [1, null],
    }));
    const b = rig({ maxRecentEvents: 3 });
    const summary = b.anomaly.restoreState({ ...a.anomaly.exportState(), open: [], recentEvents: events.map((e) => ({ ...e, endedAtMs: null, expected: null })) });
    expect(b.anomaly.recentEvents()).toEqual(events.slice(2));
    expect(summary.reasons).toEqual(['anomaly: the 2 oldest recent events are dropped (max_recent_events 3)']);
  });

  it('takes the throughput of an interval a restart cut into over the time it was observed', () => {
    const rate = (r: Rig): number => r.baseline.seriesFor({ service: 'shop', operation: 'GET /a', spanKind: 'server' })!.observedValue(SignalIndex.throughput);
    const spans = (n: number, at: number): Span[] => Array.from({ length: n }, (_, k) => ({ route: '/a' as const, durationMs: 10, failed: false, traceId: `${at}-${k}` }));
    const start = T0 + 10 * INTERVAL;
    // Same interval: 300 spans in the first 5 minutes, saved; back 5 minutes later, 300 more in the last 5 minutes.
    const a = rig({ atMs: start + 5 * MINUTE });
    record(a, spans(300, 1));
    const state = a.baseline.exportState();
    const b = rig({ atMs: start + 10 * MINUTE });
    b.baseline.restoreState(v8RoundTrip(state));
    record(b, spans(300, 2));
    b.clock.set(start + INTERVAL);
    b.baseline.rollUp();
    expect(rate(b)).toBeCloseTo(600 / (10 * 60), 10);
    // Past the interval: restarted 5 minutes into the next one; the saved interval saw 5 minutes, the next 10.
    const c = rig({ atMs: start + INTERVAL + 5 * MINUTE });
    c.baseline.restoreState(v8RoundTrip(state));
    c.baseline.rollUp();
    expect(rate(c)).toBeCloseTo(300 / (5 * 60), 10);
    expect(c.baseline.skippedIntervals).toBe(0);
    record(c, spans(600, 3));
    c.clock.set(start + 2 * INTERVAL);
    c.baseline.rollUp();
    expect(rate(c)).toBeCloseTo(600 / (10 * 60), 10);
    // And without a restart, nothing changes: a full interval.
    c.clock.set(start + 3 * INTERVAL);
    record(c, spans(900, 4));
    c.baseline.rollUp();
    expect(rate(c)).toBeCloseTo(900 / (15 * 60), 10);
  });

  it('measures one default key through v8.serialize', () => {
    // The processors' defaults: 1-minute intervals, the 4 default modelled signals, default detector options per signal.
    const clock = new ManualClock(T0);
    const baseline = new BaselineEngine({
      clock,
      model: {
        modelledSignals: DEFAULT_MODELLED_SIGNALS,
        createDetector: (signal: BaselineSignal) => {
          const info = SIGNAL_INFO[SignalIndex[signal]]!;
          return createAnomalyDetector({ direction: info.direction, valueKind: info.unit === 'ratio' ? 'ratio' : 'level', scale: info.unit === 'ratio' ? 'linear' : 'log' });
        },
      },
    });
    const rng = new SeededRandom(3);
    sample.attributes = { 'http.request.method': 'GET', 'http.route': '/a' };
    for (let i = 0; i < 60; i++) {
      for (let k = 0; k < 50; k++) {
        sample.durationMs = 40 * Math.exp(0.3 * rng.normal());
        sample.statusCode = OtlpStatusCode.UNSET;
        sample.traceId = `${i.toString(16).padStart(16, '0')}${k.toString(16).padStart(16, '0')}`;
        baseline.record(sample);
      }
      clock.advance(MINUTE);
      baseline.rollUp();
    }
    const closedOnly = serialize(baseline.exportState().keys[0]).byteLength;
    for (let k = 0; k < 50; k++) baseline.record(sample);
    const withOpenSketch = serialize(baseline.exportState().keys[0]).byteLength;
    // Quoted in baseline-engine-state.ts and baseline-state.ts (Node 20): ranges, so a V8 encoding detail does not break it.
    expect(closedOnly).toBeGreaterThan(4 * 2920);
    expect(closedOnly).toBeLessThan(22_000);
    expect(withOpenSketch - closedOnly).toBeGreaterThan(1024);
    expect(withOpenSketch - closedOnly).toBeLessThan(4 * 1024 + 1024);
    console.info(`one default key: ${closedOnly} B serialised, ${withOpenSketch} B with spans in the open interval`);
    expect(SIGNAL_COUNT).toBe(6);
  });
});
