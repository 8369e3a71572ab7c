import { deserialize, serialize } from 'node:v8';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnomalyReading } from '../../src/anomaly/anomaly-detector';
import type { AnomalyDetectorOptions } from '../../src/anomaly/anomaly-detector-options';
import { resolveAnomalyDetectorOptions } from '../../src/anomaly/anomaly-detector-options';
import { RobustSeasonalDetector } from '../../src/anomaly/robust-seasonal-detector';
import { SeasonalProfile } from '../../src/anomaly/seasonal-profile';
import { WindowNoveltyTest } from '../../src/anomaly/window-novelty-test';
import { SeededRandom } from '../../eval/synthetic/seeded-random';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2024, 0, 1);

const roundTrip = <T>(value: T): unknown => deserialize(serialize(value));

/** Detector options with short memories so a test of a few hundred values leaves the warm-up and switches profiles on. */
function fastOptions(overrides: AnomalyDetectorOptions = {}): AnomalyDetectorOptions {
  return {
    intervalMs: 15 * MINUTE,
    historyMs: DAY,
    warmupIntervals: 8,
    warmupMs: 2 * HOUR,
    dailyMinHistoryMs: DAY,
    weeklyMinHistoryMs: 7 * DAY,
    rebaselineMs: 3 * HOUR,
    ...overrides,
  };
}

/** A daily cycle with noise and, from `shiftAt`, a +60 % level shift lasting `shiftFor` values. */
function series(seed: number, n: number, shiftAt: number, shiftFor: number): number[] {
  const rng = new SeededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const t = (i * 15 * MINUTE) / DAY;
    const base = 100 * (1 + 0.4 * Math.sin(2 * Math.PI * t)) * (1 + 0.05 * rng.normal());
    return i >= shiftAt && i < shiftAt + shiftFor ? base * 1.6 : base;
  });
}

function feed(d: RobustSeasonalDetector, values: readonly number[], from: number, to: number): AnomalyReading[] {
  const out: AnomalyReading[] = [];
  for (let i = from; i < to; i++) out.push(d.update(T0 + (i + 1) * 15 * MINUTE, values[i] as number, 40 + (i % 7)));
  return out;
}

describe('RobustSeasonalDetector state', () => {
  it('continues exactly where it left off after export, v8 round trip and restore (any split point, any options)', () => {
    let withAnomalyAfterSplit = 0;
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 1000 }),
          split: fc.integer({ min: 1, max: 380 }),
          novelty: fc.boolean(),
          log: fc.boolean(),
          weekly: fc.boolean(),
          direction: fc.constantFrom('up' as const, 'both' as const),
        }),
        ({ seed, split, novelty, log, weekly, direction }) => {
          const options = resolveAnomalyDetectorOptions(
            fastOptions({ noveltyWindow: novelty ? 20 : 0, scale: log ? 'log' : 'linear', weeklySeasonality: weekly, direction }),
          );
          // Two days and a bit, with a shift across the middle of day two.
          const values = series(seed, 400, 250, 30);
          const reference = new RobustSeasonalDetector(options);
          const expected = feed(reference, values, 0, values.length);

          const before = new RobustSeasonalDetector(options);
          feed(before, values, 0, split);
          const state = roundTrip(before.exportState());
          const after = new RobustSeasonalDetector(options);
          after.restoreState(state);
          expect(feed(after, values, split, values.length)).toEqual(expected.slice(split));
          if (expected.slice(split).some((r) => r.anomalous)) withAnomalyAfterSplit++;
        },
      ),
      { numRuns: 25 },
    );
    // Most series alert on the shift (not every seed and option set does), so the readings compared include anomalies.
    expect(withAnomalyAfterSplit).toBeGreaterThan(5);
  });

  it('resumes an anomaly open at the export: it stays open and ends as in the uninterrupted run', () => {
    const options = resolveAnomalyDetectorOptions(fastOptions({ scale: 'log' }));
    const values = series(7, 400, 250, 30);
    const reference = new RobustSeasonalDetector(options);
    const expected = feed(reference, values, 0, 400);
    const openAt = expected.findIndex((r, i) => i >= 250 && r.anomalous);
    expect(openAt).toBeGreaterThan(0);
    const before = new RobustSeasonalDetector(options);
    feed(before, values, 0, openAt + 1);
    const after = new RobustSeasonalDetector(options);
    after.restoreState(roundTrip(before.exportState()));
    const rest = feed(after, values, openAt + 1, 400);
    expect(rest[0]?.anomalous).toBe(true);
    expect(rest.some((r) => !r.anomalous)).toBe(true);
    expect(rest).toEqual(expected.slice(openAt + 1));
  });

  it('names the malformed field and changes nothing', () => {
    const options = resolveAnomalyDetectorOptions(fastOptions());
    const values = series(3, 100, 1000, 0);
    const source = new RobustSeasonalDetector(options);
    feed(source, values, 0, 100);
    const good = source.exportState();
    const target = new RobustSeasonalDetector(options);
    expect(() => target.restoreState({ ...good, level: '1' })).toThrow(/^detector\.level: expected a number, got string/);
    expect(() => target.restoreState({ ...good, recent: new Float64Array(3) })).toThrow(/^detector\.recent: expected a Float64Array of 5 entries, got 3/);
    expect(() => target.restoreState({ ...good, daily: { ...good.daily, weights: [1, 2] } })).toThrow(/^detector\.daily\.weights: expected a Float32Array/);
    expect(() => target.restoreState({ ...good, kind: 'other' })).toThrow(TypeError);
    expect(() => target.restoreState(null)).toThrow(/^detector: expected an object, got null/);
    // Untouched: it still behaves as a fresh detector.
    const fresh = new RobustSeasonalDetector(options);
    expect(feed(target, values, 0, 20)).toEqual(feed(fresh, values, 0, 20));
  });

  it('fingerprints its options: equal options agree, any change differs', () => {
    const a = new RobustSeasonalDetector(resolveAnomalyDetectorOptions(fastOptions()));
    const b = new RobustSeasonalDetector(resolveAnomalyDetectorOptions(fastOptions()));
    const c = new RobustSeasonalDetector(resolveAnomalyDetectorOptions(fastOptions({ sustainIntervals: 6 })));
    expect(a.stateFingerprint()).toBe(b.stateFingerprint());
    expect(a.stateFingerprint()).not.toBe(c.stateFingerprint());
    expect(a.stateFingerprint()).toMatch(/^robust-seasonal\/1\(.*sustainIntervals=5/);
  });

  it('measures its serialised size with the processors latency options', () => {
    // What detectorOptionsFor gives latency_p99 with the default settings: 1-minute values, log scale, daily + weekly.
    const options = resolveAnomalyDetectorOptions({ direction: 'up', scale: 'log', valueKind: 'level', minAbsoluteChange: 5 });
    const d = new RobustSeasonalDetector(options);
    const rng = new SeededRandom(1);
    for (let i = 0; i < 120; i++) d.update(T0 + (i + 1) * MINUTE, 100 * (1 + 0.05 * rng.normal()), 50);
    const bytes = serialize(d.exportState()).byteLength;
    // Quoted in detector-state.ts: 3 753 B on Node 20 (typed arrays 3 160 B minus the 240 B warm-up
    // sample, plus ≈ 830 B of field names and numbers). A range, so a V8 encoding detail does not break it.
    expect(bytes).toBeGreaterThan(2920);
    expect(bytes).toBeLessThan(4200);
  });
});

describe('SeasonalProfile and WindowNoveltyTest state', () => {
  it('a profile restored from its state reads and learns as the original', () => {
    const a = new SeasonalProfile(DAY, 96, 3);
    for (let i = 0; i < 300; i++) a.update(T0 + i * 15 * MINUTE, Math.sin(i / 10), 15 * MINUTE, 1, 1);
    const b = new SeasonalProfile(DAY, 96, 3);
    b.restoreState(roundTrip(a.exportState()));
    for (let i = 300; i < 400; i++) {
      a.update(T0 + i * 15 * MINUTE, Math.cos(i / 7), 15 * MINUTE, 1, 0.5);
      b.update(T0 + i * 15 * MINUTE, Math.cos(i / 7), 15 * MINUTE, 1, 0.5);
      expect(b.valueAt(T0 + i * 7 * MINUTE)).toBe(a.valueAt(T0 + i * 7 * MINUTE));
    }
    expect(() => new SeasonalProfile(DAY, 48, 3).restoreState(a.exportState())).toThrow(/^profile\.offsets: expected a Float32Array of 48 entries, got 96/);
  });

  it('a novelty test restored from its state gives the same verdicts', () => {
    const rng = new SeededRandom(5);
    const a = new WindowNoveltyTest(10, 4);
    const verdicts = (t: WindowNoveltyTest, from: number, to: number): boolean[] => {
      const out: boolean[] = [];
      for (let i = from; i < to; i++) {
        t.push(i % 40 < 20 ? rng.normal() : 3 * rng.normal());
        const novel = t.isNovel();
        if (novel) t.remember();
        out.push(novel);
      }
      return out;
    };
    verdicts(a, 0, 100);
    const b = new WindowNoveltyTest(10, 4);
    b.restoreState(roundTrip(a.exportState()));
    expect(b.hypothesisCount).toBe(a.hypothesisCount);
    const continuation = Array.from({ length: 100 }, (_, i) => (i % 30 < 15 ? 1 : 5) * rng.normal());
    const novelties = 0;
    let seen = novelties;
    for (const v of continuation) {
      a.push(v);
      b.push(v);
      const na = a.isNovel();
      expect(b.isNovel()).toBe(na);
      if (na) {
        seen++;
        a.remember();
        b.remember();
      }
    }
    expect(seen).toBeGreaterThan(0);
    expect(() => new WindowNoveltyTest(10, 4).restoreState({ ...a.exportState(), next: 10 })).toThrow(/^novelty\.next: expected an integer in \[0, 9\]/);
  });
});
