import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import { kayentaLatencyClassifier } from '../../src/regression/kayenta-latency-classifier';
import { RegressionEngine } from '../../src/regression/regression-engine';
import type { RegressionEvent } from '../../src/regression/regression-event';
import type { RegressionKey } from '../../src/regression/regression-key';
import { createSeededRandom, standardNormalDraw } from '../../src/stats/mann-whitney/seeded-random';
import type { UniformRandom } from '../../src/stats/mann-whitney/seeded-random';
import { resolveRegressionProcessorSettings } from '../../processors/regression/config';
import { span } from './regression-fixtures';

/*
 * The engine with the real classifier (Kayenta's Mann-Whitney U, the
 * processor's default options): lognormal latencies, as real ones are
 * skewed, from a seeded generator.
 */

const T0 = Date.UTC(2026, 10, 1, 12);
const SECOND = 1000;
const OPERATIONS = ['/products/:id', '/cart', '/checkout', '/search'] as const;
/** Median latency of each operation, milliseconds. */
const MEDIAN_MS: Readonly<Record<string, number>> = { '/products/:id': 20, '/cart': 35, '/checkout': 120, '/search': 60 };

function lognormal(random: UniformRandom, median: number, sigma = 0.4): number {
  return median * Math.exp(sigma * standardNormalDraw(random));
}

interface Phase {
  readonly versions: readonly string[];
  /** Multiplier of one operation's latency under a version, e.g. { '1.1.0': { '/checkout': 1.5 } }. */
  readonly slowdown?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Spans per operation and version. */
  readonly spans: number;
}

function run(phases: readonly Phase[], seed = 1) {
  const settings = resolveRegressionProcessorSettings({});
  const clock = new ManualClock(T0);
  const events: RegressionEvent[] = [];
  const engine = new RegressionEngine(settings.spec, {
    clock,
    classify: kayentaLatencyClassifier(settings.classifier),
    onRegression: (e) => events.push(e),
  });
  const random = createSeededRandom(seed);
  for (const phase of phases) {
    for (let i = 0; i < phase.spans; i++) {
      for (const version of phase.versions) {
        for (const route of OPERATIONS) {
          const factor = phase.slowdown?.[version]?.[route] ?? 1;
          engine.record(span({ version, route, ms: lognormal(random, (MEDIAN_MS[route] as number) * factor) }));
        }
      }
      clock.advance(SECOND);
      if (i % 30 === 0) engine.evaluate();
    }
    engine.evaluate();
  }
  const verdicts: Record<string, string | undefined> = {};
  engine.forEachKey((k: RegressionKey) => (verdicts[k.operation] = k.latest?.outcome));
  return { events, verdicts, engine };
}

describe('deploy regressions with the Kayenta Mann-Whitney classifier', () => {
  it('finds the one operation that got 50 % slower in a rolling deploy, and passes the others', () => {
    const { events, verdicts } = run([
      { versions: ['1.0.0'], spans: 300 },
      { versions: ['1.1.0'], spans: 300, slowdown: { '1.1.0': { '/checkout': 1.5 } } },
    ]);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({ outcome: 'regression', operation: 'GET /checkout', baselineVersion: '1.0.0', version: '1.1.0', canary: false, classification: 'High' });
    expect(event?.effectSize).toBeGreaterThan(1.35);
    expect(event?.effectSize).toBeLessThan(1.65);
    expect(event?.pValue).toBeLessThan(1e-6);
    expect(event?.confidenceInterval[0]).toBeGreaterThan(0);
    // min_samples (100) on both sides, after the 1 min warm-up: the verdict comes as soon as both sides hold 100.
    expect(event?.controlCount).toBeGreaterThanOrEqual(100);
    expect(event?.experimentCount).toBeGreaterThanOrEqual(100);
    expect(verdicts).toEqual({ 'GET /products/:id': 'pass', 'GET /cart': 'pass', 'GET /checkout': 'regression', 'GET /search': 'pass' });
  });

  it('flags the regression as canary when both versions serve side by side', () => {
    const { events, verdicts } = run([
      { versions: ['1.0.0'], spans: 200 },
      { versions: ['1.0.0', '1.1.0'], spans: 300, slowdown: { '1.1.0': { '/search': 1.5 } } },
    ]);
    expect(events.map((e) => [e.outcome, e.operation, e.canary])).toEqual([['regression', 'GET /search', true]]);
    expect(verdicts).toEqual({ 'GET /products/:id': 'pass', 'GET /cart': 'pass', 'GET /checkout': 'pass', 'GET /search': 'regression' });
  });

  it('reports an improvement, and passes a 3 % change below the effect-size threshold', () => {
    const { events } = run([
      { versions: ['1.0.0'], spans: 300 },
      { versions: ['2.0.0'], spans: 300, slowdown: { '2.0.0': { '/cart': 0.6, '/search': 1.03 } } },
    ]);
    expect(events.map((e) => [e.outcome, e.operation])).toEqual([['improvement', 'GET /cart']]);
    expect(events[0]?.effectSize).toBeLessThan(0.7);
  });

  it('rarely reports anything when nothing changed', () => {
    // 20 deploys × 4 unchanged operations: the 10 % effect-size gate on top of 95 % confidence keeps false events rare.
    let falseEvents = 0;
    for (let seed = 1; seed <= 20; seed++) {
      falseEvents += run([{ versions: ['a'], spans: 150 }, { versions: ['b'], spans: 150 }], seed).events.length;
    }
    expect(falseEvents).toBeLessThanOrEqual(1);
  });
});
