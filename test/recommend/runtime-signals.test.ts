import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../src/stats/mann-whitney/seeded-random';
import { RuntimeSampleRing } from '../../src/recommend/runtime-sample-ring';
import {
  EVENT_LOOP_BLOCKING,
  EventLoopBlockingDetector,
  GC_PRESSURE,
  GcPressureDetector,
  MEMORY_LEAK_SUSPECTED,
  MemoryLeakDetector,
} from '../../src/recommend/runtime-signals';
import {
  DEFAULT_EVENT_LOOP_BLOCKING_OPTIONS,
  DEFAULT_GC_PRESSURE_OPTIONS,
  DEFAULT_MEMORY_LEAK_OPTIONS,
  resolveEventLoopBlockingOptions,
  resolveGcPressureOptions,
  resolveMemoryLeakOptions,
} from '../../src/recommend/runtime-signals-options';

const MIB = 1024 * 1024;
const MINUTE = 60_000;
const T0 = 1_700_000_000_000;

/** Deterministic noise, the same on every run. */
const seededRandom = createSeededRandom;

describe('RuntimeSampleRing', () => {
  it('keeps time order, overwrites the oldest when full and refuses older samples', () => {
    const ring = new RuntimeSampleRing(3);
    expect(ring.stateBytes).toBe(48);
    for (let i = 0; i < 5; i++) expect(ring.push(i * 10, i)).toBe(true);
    expect(ring.size).toBe(3);
    expect([ring.valueAt(0), ring.valueAt(1), ring.valueAt(2)]).toEqual([2, 3, 4]);
    expect(ring.push(35, 9)).toBe(false);
    expect(ring.push(40, Number.NaN)).toBe(false);
    expect(ring.firstIndexAtOrAfter(25)).toBe(1);
    expect(ring.endIndexAtOrBefore(30)).toBe(2);
    ring.dropOlderThan(35);
    expect(ring.size).toBe(1);
    expect(ring.timeAt(0)).toBe(40);
    expect(() => ring.valueAt(1)).toThrow(RangeError);
  });
});

describe('options', () => {
  it('fills in the documented defaults', () => {
    expect(resolveEventLoopBlockingOptions()).toEqual(DEFAULT_EVENT_LOOP_BLOCKING_OPTIONS);
    expect(resolveGcPressureOptions()).toEqual(DEFAULT_GC_PRESSURE_OPTIONS);
    expect(resolveMemoryLeakOptions()).toEqual(DEFAULT_MEMORY_LEAK_OPTIONS);
    expect(DEFAULT_EVENT_LOOP_BLOCKING_OPTIONS.thresholdMs).toBe(100);
    expect(DEFAULT_GC_PRESSURE_OPTIONS.maxShare).toBe(0.1);
    expect(DEFAULT_MEMORY_LEAK_OPTIONS.minSpanMs).toBe(30 * MINUTE);
    expect(DEFAULT_MEMORY_LEAK_OPTIONS.minRSquared).toBe(0.8);
  });

  it('rejects values out of range with a RangeError naming the option', () => {
    expect(() => resolveEventLoopBlockingOptions({ thresholdMs: -1 })).toThrow(/thresholdMs/);
    expect(() => resolveEventLoopBlockingOptions({ minSamples: 10, maxSamples: 5 })).toThrow(RangeError);
    expect(() => resolveGcPressureOptions({ maxShare: 1.5 })).toThrow(/maxShare/);
    expect(() => resolveGcPressureOptions({ windowMs: MINUTE, minSpanMs: 2 * MINUTE })).toThrow(/minSpanMs/);
    expect(() => resolveMemoryLeakOptions({ minSamples: 2 })).toThrow(/minSamples/);
    expect(() => resolveMemoryLeakOptions({ minRSquared: Number.NaN })).toThrow(RangeError);
    expect(() => new MemoryLeakDetector('s', { maxSamples: 1.5 })).toThrow(RangeError);
  });

  it('shortens the default minimum span to a shorter window', () => {
    expect(resolveMemoryLeakOptions({ windowMs: 10 * MINUTE }).minSpanMs).toBe(10 * MINUTE);
  });
});

describe('EventLoopBlockingDetector', () => {
  /** One p99 sample every 30 s over five minutes, ending at `end`. */
  function feed(detector: EventLoopBlockingDetector, values: readonly number[], end: number): void {
    values.forEach((value, i) => detector.record(end - (values.length - 1 - i) * 30_000, value));
  }

  it('finds a sustained block: median p99 above 100 ms', () => {
    const detector = new EventLoopBlockingDetector('shop');
    const end = T0 + 10 * MINUTE;
    feed(detector, [8, 150, 180, 12, 160, 210, 140, 170, 9, 155], end);
    const finding = detector.evaluate(end);
    expect(finding).toBeDefined();
    expect(finding?.type).toBe(EVENT_LOOP_BLOCKING);
    expect(finding?.service).toBe('shop');
    expect(finding?.evidence.medianP99DelayMs).toBe(152.5);
    expect(finding?.evidence.maxP99DelayMs).toBe(210);
    expect(finding?.evidence.samplesAboveThreshold).toBe(7);
    expect(finding?.evidence.sampleCount).toBe(10);
    expect(finding?.impactDescription).toContain('152.5 ms');
    expect(detector.stateBytes).toBe(512 * 24);
  });

  it('near miss: median just below the threshold gives nothing', () => {
    const detector = new EventLoopBlockingDetector('shop');
    const end = T0 + 10 * MINUTE;
    feed(detector, [99, 98, 250, 97, 99.5, 300, 96, 99, 95, 400], end);
    expect(detector.evaluate(end)).toBeUndefined();
  });

  it('negative: occasional spikes in a healthy loop are not a sustained block', () => {
    const random = seededRandom(7);
    const detector = new EventLoopBlockingDetector('shop');
    const end = T0 + 10 * MINUTE;
    const values = Array.from({ length: 10 }, (_, i) => (i === 4 ? 900 : 10 + random() * 20));
    feed(detector, values, end);
    expect(detector.evaluate(end)).toBeUndefined();
  });

  it('forgets samples older than the window and needs minSamples', () => {
    const detector = new EventLoopBlockingDetector('shop', { minSamples: 3 });
    detector.record(T0, 500);
    detector.record(T0 + 30_000, 500);
    detector.record(T0 + 60_000, 500);
    expect(detector.evaluate(T0 + 60_000)).toBeDefined();
    // Ten minutes later, nothing is in the window.
    expect(detector.evaluate(T0 + 11 * MINUTE)).toBeUndefined();
    detector.record(T0 + 11 * MINUTE, 500);
    expect(detector.evaluate(T0 + 11 * MINUTE)).toBeUndefined();
    expect(detector.record(T0, 500)).toBe(false);
    expect(detector.record(T0 + 12 * MINUTE, -1)).toBe(false);
    expect(detector.rejectedSamples).toBe(2);
  });
});

describe('GcPressureDetector', () => {
  /** Cumulative GC seconds sampled every 15 s, growing by `shareOfWallTime` of each interval. */
  function feedShare(detector: GcPressureDetector, start: number, intervals: number, share: number, sumAtStart = 0): number {
    let sum = sumAtStart;
    for (let i = 0; i <= intervals; i++) {
      if (i > 0) sum += 15 * share;
      detector.record(start + i * 15_000, sum);
    }
    return sum;
  }

  it('finds 20 % of wall time in GC over five minutes', () => {
    const detector = new GcPressureDetector('shop');
    feedShare(detector, T0, 20, 0.2, 42);
    const finding = detector.evaluate(T0 + 5 * MINUTE);
    expect(finding?.type).toBe(GC_PRESSURE);
    expect(finding?.evidence.gcTimeShare).toBeCloseTo(0.2, 9);
    expect(finding?.evidence.gcSeconds).toBeCloseTo(60, 9);
    expect(finding?.evidence.elapsedMs).toBe(5 * MINUTE);
    expect(finding?.impactDescription).toContain('20.0 %');
  });

  it('near miss: 9.5 % stays below the 10 % threshold', () => {
    const detector = new GcPressureDetector('shop');
    feedShare(detector, T0, 20, 0.095);
    expect(detector.evaluate(T0 + 5 * MINUTE)).toBeUndefined();
  });

  it('negative: a counter reset is not read as a huge negative or positive jump', () => {
    const detector = new GcPressureDetector('shop');
    // 2 % in GC before and after a restart; the old process had accumulated 5000 s.
    const before = feedShare(detector, T0, 10, 0.02, 5000);
    expect(before).toBeGreaterThan(5000);
    // Restart: the counter starts again from a small value.
    feedShare(detector, T0 + 165_000, 9, 0.02, 0.3);
    const finding = detector.evaluate(T0 + 300_000);
    expect(finding).toBeUndefined();
    expect(detector.counterResets).toBe(1);
  });

  it('a new series start signals a reset the values alone cannot show', () => {
    // maxShare 0 so both report, and their GC seconds can be compared.
    const withStart = new GcPressureDetector('shop', { maxShare: 0 });
    const withoutStart = new GcPressureDetector('shop', { maxShare: 0 });
    for (let i = 0; i <= 20; i++) {
      // The old series runs 1 → 2.5 s; the restarted one is first read at
      // 2.6 s, above the old value, so the drop is invisible.
      const restarted = i > 10;
      const sum = restarted ? 2.6 + (i - 11) * 0.15 : 1 + i * 0.15;
      const seriesStart = restarted ? T0 + 151_000 : T0;
      withStart.record(T0 + i * 15_000, sum, seriesStart);
      withoutStart.record(T0 + i * 15_000, sum);
    }
    expect(withStart.counterResets).toBe(1);
    expect(withoutStart.counterResets).toBe(0);
    const seen = withStart.evaluate(T0 + 5 * MINUTE);
    const blind = withoutStart.evaluate(T0 + 5 * MINUTE);
    // 19 intervals of 0.15 s, plus the restart interval: 2.6 s (the new
    // series from 0) versus 0.1 s (mistaken for a continuation).
    expect(seen?.evidence.gcSeconds).toBeCloseTo(19 * 0.15 + 2.6, 9);
    expect(blind?.evidence.gcSeconds).toBeCloseTo(19 * 0.15 + 0.1, 9);
    expect(seen?.evidence.counterResets).toBe(1);
  });

  it('needs minSpanMs of samples', () => {
    const detector = new GcPressureDetector('shop');
    detector.record(T0, 0);
    detector.record(T0 + 30_000, 15);
    expect(detector.evaluate(T0 + 30_000)).toBeUndefined();
    expect(detector.stateBytes).toBe(512 * 16);
  });
});

describe('MemoryLeakDetector', () => {
  const BASE = 80 * MIB;

  it('finds steady growth of 20 MiB/h over 40 minutes with noise, and projects the time to the limit', () => {
    const random = seededRandom(11);
    const detector = new MemoryLeakDetector('shop', { heapLimitBytes: 2048 * MIB });
    for (let i = 0; i <= 40; i++) {
      const hours = i / 60;
      detector.record(T0 + i * MINUTE, BASE + 20 * MIB * hours + (random() - 0.5) * 1 * MIB);
    }
    const finding = detector.evaluate(T0 + 40 * MINUTE);
    expect(finding?.type).toBe(MEMORY_LEAK_SUSPECTED);
    const slope = finding?.evidence.slopeBytesPerHour as number;
    expect(slope / MIB).toBeGreaterThan(18);
    expect(slope / MIB).toBeLessThan(22);
    expect(finding?.evidence.rSquared).toBeGreaterThan(0.9);
    expect(finding?.evidence.spanMs).toBe(40 * MINUTE);
    expect(finding?.evidence.sampleCount).toBe(41);
    const projectedHours = (finding?.evidence.projectedMsToLimit as number) / 3_600_000;
    // (2048 − 80 − 13.3) MiB at 20 MiB/h ≈ 97.7 h.
    expect(projectedHours).toBeGreaterThan(85);
    expect(projectedHours).toBeLessThan(110);
    expect(finding?.impactDescription).toMatch(/MiB\/h/);
  });

  it('near miss: 8 MiB/h is below the 10 MiB/h slope threshold', () => {
    const detector = new MemoryLeakDetector('shop');
    for (let i = 0; i <= 40; i++) detector.record(T0 + i * MINUTE, BASE + (8 * MIB * i) / 60);
    expect(detector.evaluate(T0 + 40 * MINUTE)).toBeUndefined();
    // The same growth at 12 MiB/h is found, so the slope is what decided.
    const faster = new MemoryLeakDetector('shop');
    for (let i = 0; i <= 40; i++) faster.record(T0 + i * MINUTE, BASE + (12 * MIB * i) / 60);
    expect(faster.evaluate(T0 + 40 * MINUTE)).toBeDefined();
  });

  it('near miss: a steep trend seen over less than 30 minutes gives nothing', () => {
    const detector = new MemoryLeakDetector('shop');
    for (let i = 0; i <= 29; i++) detector.record(T0 + i * MINUTE, BASE + 100 * MIB * (i / 60));
    expect(detector.evaluate(T0 + 29 * MINUTE)).toBeUndefined();
  });

  it('negative: GC sawtooth without growth', () => {
    const detector = new MemoryLeakDetector('shop');
    // Heap climbs 60 MiB over 5 minutes, then a major GC brings it back, for an hour.
    for (let i = 0; i <= 60; i++) detector.record(T0 + i * MINUTE, BASE + (i % 5) * 15 * MIB);
    expect(detector.evaluate(T0 + 60 * MINUTE)).toBeUndefined();
  });

  it('negative: noise without trend', () => {
    const random = seededRandom(3);
    const detector = new MemoryLeakDetector('shop');
    for (let i = 0; i <= 60; i++) detector.record(T0 + i * MINUTE, BASE + (random() - 0.5) * 20 * MIB);
    expect(detector.evaluate(T0 + 60 * MINUTE)).toBeUndefined();
  });

  it('negative: a one-off jump (a cache filling) has a slope but too low an R²', () => {
    const random = seededRandom(5);
    const detector = new MemoryLeakDetector('shop');
    for (let i = 0; i <= 60; i++) detector.record(T0 + i * MINUTE, BASE + (i >= 55 ? 30 * MIB : 0) + random() * 2 * MIB);
    expect(detector.evaluate(T0 + 60 * MINUTE)).toBeUndefined();
  });

  it('keeps memory bounded: the ring never grows past maxSamples', () => {
    const detector = new MemoryLeakDetector('shop', { maxSamples: 64 });
    for (let i = 0; i < 10_000; i++) detector.record(T0 + i * 1000, BASE + i * 1000);
    expect(detector.stateBytes).toBe(64 * 16);
    // 64 samples at 1 s span 63 s < 30 min: no verdict, however steep.
    expect(detector.evaluate(T0 + 10_000_000)).toBeUndefined();
  });
});
