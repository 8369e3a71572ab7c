import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import { BaselineEngine } from '../../src/engine/baseline-engine';
import type { BaselineEngineOptions } from '../../src/engine/baseline-engine';
import { BaselineSpanSample } from '../../src/engine/baseline-span-sample';
import { OtlpSpanKind, OtlpStatusCode } from '../../src/engine/span-sample';
import { BASELINE_SIGNALS, SignalIndex } from '../../src/baseline/baseline-signal';
import type { BaselineSeries } from '../../src/baseline/baseline-series';
import { doubleDetectors } from '../baseline/detector-double';
import type { RecordedUpdate } from '../baseline/detector-double';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 2, 10, 0, 0);

function engine(clock: ManualClock, options: Partial<BaselineEngineOptions> = {}, updates: RecordedUpdate[] = []): BaselineEngine {
  return new BaselineEngine({ clock, model: { modelledSignals: [...BASELINE_SIGNALS], createDetector: doubleDetectors(updates) }, ...options });
}

function span(overrides: Partial<BaselineSpanSample> & { route?: string; method?: string; status?: number } = {}): BaselineSpanSample {
  const s = new BaselineSpanSample();
  s.service = overrides.service ?? 'shop';
  s.kind = overrides.kind ?? OtlpSpanKind.SERVER;
  s.name = overrides.name ?? 'GET';
  s.durationMs = overrides.durationMs ?? 10;
  s.statusCode = overrides.statusCode ?? OtlpStatusCode.UNSET;
  s.traceId = overrides.traceId;
  s.attributes = {
    ...(overrides.route !== undefined && { 'http.route': overrides.route }),
    'http.request.method': overrides.method ?? 'GET',
    ...(overrides.status !== undefined && { 'http.response.status_code': overrides.status }),
  };
  return s;
}

function keys(e: BaselineEngine): string[] {
  const out: string[] = [];
  e.forEach((s) => out.push(`${s.labels.service}|${s.labels.spanKind}|${s.labels.operation}${s.overflow ? ' (overflow)' : ''}`));
  return out.sort();
}

describe('BaselineEngine', () => {
  it('keys spans by service, span kind and the SLO engine\'s operation name (METHOD route, else the span name)', () => {
    const clock = new ManualClock(T0);
    const e = engine(clock, { spanKinds: [OtlpSpanKind.SERVER, OtlpSpanKind.CLIENT] });
    e.record(span({ route: '/cart' }));
    e.record(span({ route: '/cart', method: 'POST' }));
    e.record(span({ name: 'SELECT items', kind: OtlpSpanKind.CLIENT, method: undefined }));
    e.record(span({ service: 'billing', route: '/cart' }));
    e.record(span({ kind: OtlpSpanKind.INTERNAL, name: 'middleware' })); // not tracked
    expect(keys(e)).toEqual(['billing|server|GET /cart', 'shop|client|SELECT items', 'shop|server|GET /cart', 'shop|server|POST /cart']);
  });

  it('tracks server and consumer spans by default', () => {
    const e = engine(new ManualClock(T0));
    for (const kind of [0, 1, 2, 3, 4, 5]) e.record(span({ kind, name: `k${kind}` }));
    expect(keys(e)).toEqual(['shop|consumer|k5', 'shop|server|k2']);
  });

  it('counts errors as the availability SLI does: status ERROR, or a server span answered 5xx', () => {
    const clock = new ManualClock(T0);
    const e = engine(clock);
    e.record(span({ route: '/a', status: 200 }));
    e.record(span({ route: '/a', status: 503 }));
    e.record(span({ route: '/a', statusCode: OtlpStatusCode.ERROR }));
    e.record(span({ route: '/a', status: 404 }));
    clock.advance(MINUTE);
    e.rollUp();
    e.forEach((s) => expect(s.observedValue(SignalIndex.error_ratio)).toBe(0.5));
  });

  it('closes epoch-aligned intervals on rollUp once the clock passes their end', () => {
    const clock = new ManualClock(T0 + 25_000);
    const updates: RecordedUpdate[] = [];
    const e = engine(clock, {}, updates);
    expect(e.openIntervalEndMs).toBe(T0 + MINUTE);
    e.record(span({ route: '/a' }));
    clock.set(T0 + MINUTE - 1);
    e.rollUp();
    expect(updates).toHaveLength(0);
    clock.set(T0 + MINUTE + 5);
    e.rollUp();
    expect(new Set(updates.map((u) => u.timeMs))).toEqual(new Set([T0 + MINUTE]));
    expect(e.openIntervalEndMs).toBe(T0 + 2 * MINUTE);
  });

  it('never closes an interval from record(): a span after the boundary but before the tick counts in the open interval', () => {
    const clock = new ManualClock(T0);
    const updates: RecordedUpdate[] = [];
    const e = engine(clock, {}, updates);
    for (const route of ['/a', '/b', '/c']) e.record(span({ route }));
    clock.set(T0 + MINUTE + 500); // past the boundary, the roll-up timer has not ticked yet
    e.record(span({ route: '/a', durationMs: 99 }));
    expect(updates).toHaveLength(0); // no roll-up of every key inside the span callback
    expect(e.openIntervalEndMs).toBe(T0 + MINUTE);
    e.rollUp();
    const counts = updates.filter((u) => u.signal === 'latency_p99').map((u) => u.count);
    expect(counts.sort()).toEqual([1, 1, 2]); // the late span is in [T0, T0+1m) of /a
    expect(e.skippedIntervals).toBe(0);
  });

  it('feeds a key without spans a real zero throughput every interval while the timer runs normally', () => {
    const clock = new ManualClock(T0);
    const updates: RecordedUpdate[] = [];
    const e = engine(clock, {}, updates);
    e.record(span({ route: '/a' }));
    for (let i = 1; i <= 4; i++) {
      clock.set(T0 + i * MINUTE + 300); // each tick a little after the boundary
      e.rollUp();
    }
    const throughput = updates.filter((u) => u.signal === 'throughput');
    expect(throughput.map((u) => u.timeMs)).toEqual([1, 2, 3, 4].map((i) => T0 + i * MINUTE));
    expect(throughput.map((u) => u.value)).toEqual([1 / 60, 0, 0, 0]);
    expect(e.skippedIntervals).toBe(0);
  });

  it('after a stall closes only the interval that was open and skips the missed ones without feeding them', () => {
    const clock = new ManualClock(T0);
    const updates: RecordedUpdate[] = [];
    const e = engine(clock, {}, updates);
    e.record(span({ route: '/a' }));
    clock.set(T0 + 3 * MINUTE + 200); // the timer is late by more than one interval
    e.rollUp();
    const throughput = updates.filter((u) => u.signal === 'throughput');
    expect(throughput).toEqual([expect.objectContaining({ timeMs: T0 + MINUTE, value: 1 / 60 })]); // no invented zeros for [1m, 3m)
    expect(e.skippedIntervals).toBe(2);
    expect(e.openIntervalEndMs).toBe(T0 + 4 * MINUTE);
    clock.set(T0 + 4 * MINUTE + 100);
    e.rollUp();
    expect(updates.filter((u) => u.signal === 'throughput').map((u) => u.timeMs)).toEqual([T0 + MINUTE, T0 + 4 * MINUTE]);
  });

  it('skips a long stall entirely, whatever its length', () => {
    const clock = new ManualClock(T0);
    const updates: RecordedUpdate[] = [];
    const e = engine(clock, {}, updates);
    e.record(span({ route: '/a' }));
    clock.advance(60 * MINUTE);
    e.rollUp();
    expect(updates.filter((u) => u.signal === 'throughput').map((u) => u.timeMs)).toEqual([T0 + MINUTE]);
    expect(e.skippedIntervals).toBe(59);
    expect(e.openIntervalEndMs).toBe(T0 + 61 * MINUTE);
  });

  it('caps keys at max_keys: further keys share one overflow key labelled __overflow__', () => {
    const clock = new ManualClock(T0);
    const e = engine(clock, { maxKeys: 2 });
    for (const route of ['/a', '/b', '/c', '/d']) e.record(span({ route }));
    expect(keys(e)).toEqual(['__overflow__|__overflow__|__overflow__ (overflow)', 'shop|server|GET /a', 'shop|server|GET /b']);
    expect(e.keyCount).toBe(3);
    expect(e.find(span({ route: '/c' }))).toBeUndefined(); // find never answers with the overflow key
    expect(e.find(span({ route: '/a' }))?.labels.operation).toBe('GET /a');
  });

  it('evicts keys idle for idle_timeout, which frees their slot, and tells listeners', () => {
    const clock = new ManualClock(T0);
    const e = engine(clock, { maxKeys: 1, idleMs: 3 * MINUTE });
    const evicted: string[] = [];
    e.addListener({ intervalClosed: () => undefined, keyEvicted: (s) => evicted.push(s.labels.operation) });
    e.record(span({ route: '/a' }));
    for (let i = 0; i < 3; i++) {
      clock.advance(MINUTE);
      e.rollUp();
    }
    expect(evicted).toEqual([]); // last active at T0+1m: idle for 2 minutes at T0+3m
    clock.advance(MINUTE);
    e.rollUp();
    expect(evicted).toEqual(['GET /a']);
    expect(e.evictedKeys).toBe(1);
    e.record(span({ route: '/b' }));
    expect(keys(e)).toEqual(['shop|server|GET /b']);
  });

  it('tells listeners about every key at every close; a failing listener or detector does not stop the others', () => {
    const clock = new ManualClock(T0);
    const errors: unknown[] = [];
    const e = new BaselineEngine({
      clock,
      onError: (error) => errors.push(error),
      model: {
        modelledSignals: ['latency_p99'],
        createDetector: () => ({
          update: (_t, value) => {
            if (value > 50) throw new Error('detector failed');
            return { score: 0, anomalous: false, expected: undefined };
          },
        }),
      },
    });
    const seen: string[] = [];
    e.addListener({
      intervalClosed: (s: BaselineSeries, endMs) => {
        seen.push(`${s.labels.operation}@${endMs - T0}`);
        if (s.labels.operation === 'GET /a') throw new Error('listener failed');
      },
      keyEvicted: () => undefined,
    });
    e.record(span({ route: '/a' }));
    e.record(span({ route: '/b', durationMs: 100 }));
    clock.advance(MINUTE);
    e.rollUp();
    expect(seen.sort()).toEqual(['GET /a@60000', 'GET /b@60000']);
    expect(errors.map((x) => (x as Error).message).sort()).toEqual(['detector failed', 'listener failed']);
  });
});
