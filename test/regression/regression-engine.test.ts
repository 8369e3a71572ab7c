import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import { OtlpSpanKind } from '../../src/engine/span-sample';
import { describeDeploy, describeRegression } from '../../src/regression/describe-regression';
import { RegressionEngine } from '../../src/regression/regression-engine';
import type { RegressionEngineOptions } from '../../src/regression/regression-engine';
import type { DeployEvent, RegressionEvent } from '../../src/regression/regression-event';
import type { RegressionKey } from '../../src/regression/regression-key';
import type { RegressionSpec } from '../../src/regression/regression-spec';
import { createSeededRandom } from '../../src/stats/mann-whitney/seeded-random';
import { meanRatioClassifier, regressionSpec, span } from './regression-fixtures';
import type { SpanShape } from './regression-fixtures';

const T0 = Date.UTC(2026, 10, 1, 12);
const MINUTE = 60_000;

function setup(spec: Partial<RegressionSpec> = {}, options: Partial<RegressionEngineOptions> = {}) {
  const clock = new ManualClock(T0);
  const classify = meanRatioClassifier();
  const events: RegressionEvent[] = [];
  const deploys: DeployEvent[] = [];
  const engine = new RegressionEngine(regressionSpec(spec), {
    clock,
    classify,
    random: createSeededRandom(7),
    onRegression: (e) => events.push(e),
    onDeploy: (e) => deploys.push(e),
    ...options,
  });
  /** `count` spans of one shape, one every `everyMs` of clock time. */
  const send = (count: number, shape: SpanShape, everyMs = 100): void => {
    for (let i = 0; i < count; i++) {
      engine.record(span({ ...shape, ms: shape.ms * (0.9 + 0.2 * ((i * 7919) % 101) / 100) }));
      clock.advance(everyMs);
    }
  };
  return { clock, classify, events, deploys, engine, send };
}

function keys(engine: RegressionEngine): RegressionKey[] {
  const out: RegressionKey[] = [];
  engine.forEachKey((k) => out.push(k));
  return out;
}

describe('RegressionEngine: deploys and verdicts', () => {
  it('reports a regression of the one slower operation after a deploy, with both versions and the sample counts', () => {
    const { engine, send, events, deploys, classify, clock } = setup();
    for (const route of ['/a', '/b', '/c']) send(50, { version: '1.0.0', route, ms: 40 });
    engine.evaluate();
    expect([events, deploys, classify.calls]).toEqual([[], [], []]);

    clock.advance(MINUTE);
    const deployedAt = clock.now();
    send(50, { version: '1.1.0', route: '/a', ms: 40 });
    send(50, { version: '1.1.0', route: '/b', ms: 60 });
    send(50, { version: '1.1.0', route: '/c', ms: 41 });
    engine.evaluate();

    expect(deploys).toEqual([{ service: 'shop', baselineVersion: '1.0.0', version: '1.1.0', firstSeenMs: deployedAt, atMs: clock.now() }]);
    expect(classify.calls.map((c) => [c.control.length, c.experiment.length, c.direction])).toEqual([
      [50, 50, 'either'],
      [50, 50, 'either'],
      [50, 50, 'either'],
    ]);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({
      outcome: 'regression',
      service: 'shop',
      operation: 'GET /b',
      spanKind: 'server',
      baselineVersion: '1.0.0',
      version: '1.1.0',
      canary: false,
      controlCount: 50,
      experimentCount: 50,
      pValue: 0.001,
      deployedAtMs: deployedAt,
      atMs: clock.now(),
    });
    expect(event?.effectSize).toBeCloseTo(1.5, 1);
    expect(event?.controlMeanMs).toBeCloseTo(40, 0);
    expect(event?.experimentMeanMs).toBeCloseTo(60, 0);
    expect(engine.recentEvents()).toEqual(events);
    // Every key has its verdict, passes included; only the regression is counted as an event.
    expect(keys(engine).map((k) => [k.operation, k.latest?.outcome, k.regressions, k.improvements])).toEqual([
      ['GET /a', 'pass', 0, 0],
      ['GET /b', 'regression', 1, 0],
      ['GET /c', 'pass', 0, 0],
    ]);
  });

  it('makes one verdict per key and version pair, and a new one after the next deploy', () => {
    const { engine, send, events, classify, clock } = setup();
    send(30, { version: '1', route: '/a', ms: 10 });
    send(30, { version: '2', route: '/a', ms: 20 });
    engine.evaluate();
    send(30, { version: '2', route: '/a', ms: 20 });
    engine.evaluate();
    engine.evaluate();
    expect(classify.calls).toHaveLength(1);
    expect(events.map((e) => `${e.baselineVersion}→${e.version} ${e.outcome}`)).toEqual(['1→2 regression']);

    clock.advance(MINUTE);
    send(30, { version: '3', route: '/a', ms: 10 });
    engine.evaluate();
    engine.evaluate();
    expect(classify.calls).toHaveLength(2);
    expect(events.map((e) => `${e.baselineVersion}→${e.version} ${e.outcome}`)).toEqual(['1→2 regression', '2→3 improvement']);
  });

  it('waits for min_samples on both sides', () => {
    const { engine, send, classify } = setup({ minSamples: 20 });
    send(19, { version: '1', route: '/a', ms: 10 });
    send(40, { version: '2', route: '/a', ms: 20 });
    engine.evaluate();
    expect(classify.calls).toHaveLength(0);
    // A control that only fills after the deploy still counts: it is the canary case.
    send(1, { version: '1', route: '/a', ms: 10 });
    engine.evaluate();
    expect(classify.calls).toHaveLength(1);
  });

  it('ignores a new version during its warm-up, but not the first version of a service', () => {
    const { engine, send, classify, clock } = setup({ warmupMs: MINUTE, minSamples: 20 });
    send(20, { version: '1', route: '/a', ms: 10 }, 1);
    send(30, { version: '2', route: '/a', ms: 50 }, 1000); // 30 s of slow, cold spans
    engine.evaluate();
    expect(classify.calls).toHaveLength(0);
    clock.advance(MINUTE);
    send(20, { version: '2', route: '/a', ms: 10 });
    engine.evaluate();
    expect(classify.calls).toHaveLength(1);
    expect(Math.max(...(classify.calls[0]?.experiment ?? []))).toBeLessThan(12);
  });

  it('flags a comparison as canary when both versions serve concurrently', () => {
    const { engine, send, events } = setup({ minSamples: 20 });
    send(20, { version: '1', route: '/a', ms: 10 });
    for (let i = 0; i < 20; i++) {
      send(1, { version: '1', route: '/a', ms: 10 });
      send(1, { version: '2', route: '/a', ms: 30 });
    }
    let concurrent: boolean | undefined;
    engine.forEachService((_service, c) => (concurrent = c));
    expect(concurrent).toBe(true);
    engine.evaluate();
    expect(events.map((e) => [e.outcome, e.canary])).toEqual([['regression', true]]);
  });

  it('compares with direction increase only, and reports no improvement, when improvements are off', () => {
    const { engine, send, events, classify, clock } = setup({ reportImprovements: false });
    send(30, { version: '1', route: '/a', ms: 20 });
    clock.advance(MINUTE);
    send(30, { version: '2', route: '/a', ms: 10 });
    engine.evaluate();
    expect(classify.calls.map((c) => c.direction)).toEqual(['increase']);
    expect(events).toEqual([]);
    expect(keys(engine)[0]?.latest?.outcome).toBe('pass');
  });

  it('keys operations by service, operation name and span kind, and samples only the configured kinds', () => {
    const { engine, send } = setup({ spanKinds: ['server', 'consumer'] });
    send(1, { version: '1', route: '/users/:id', method: 'POST', ms: 5 });
    send(1, { version: '1', name: 'orders process', kind: OtlpSpanKind.CONSUMER, ms: 5 });
    send(1, { version: '1', name: 'SELECT', kind: OtlpSpanKind.CLIENT, ms: 5 });
    send(1, { service: 'cart', version: '1', name: 'GET', ms: 5 });
    expect(keys(engine).map((k) => [k.service, k.operation, k.spanKind])).toEqual([
      ['shop', 'POST /users/:id', 'server'],
      ['shop', 'orders process', 'consumer'],
      ['cart', 'GET', 'server'],
    ]);
  });

  it('watches only the listed services', () => {
    const { engine, send } = setup({ services: ['cart'] });
    send(3, { version: '1', route: '/a', ms: 5 });
    send(3, { service: 'cart', version: '1', route: '/a', ms: 5 });
    expect(keys(engine).map((k) => k.service)).toEqual(['cart']);
  });
});

describe('RegressionEngine: bounds and failures', () => {
  it('counts spans without service.version, and accepts numbers as versions', () => {
    const { engine, send } = setup();
    send(4, { route: '/a', ms: 5 });
    send(2, { version: '', route: '/a', ms: 5 });
    send(1, { version: 3, route: '/a', ms: 5 });
    expect(engine.untracked).toEqual({ noVersion: 6, serviceLimit: 0, keyLimit: 0, invalidDuration: 0 });
    let versions: string[] = [];
    engine.forEachService((s) => (versions = s.versions.map((v) => v.version)));
    expect(versions).toEqual(['3']);
  });

  it('caps keys with one overflow key that is counted, never sampled nor compared', () => {
    const { engine, send, classify, clock } = setup({ maxKeys: 2 });
    for (const route of ['/a', '/b', '/c', '/d']) send(30, { version: '1', route, ms: 10 });
    clock.advance(MINUTE);
    for (const route of ['/a', '/b', '/c', '/d']) send(30, { version: '2', route, ms: 30 });
    engine.evaluate();
    expect(engine.keyCount).toBe(2);
    const all = keys(engine);
    expect(all.map((k) => [k.service, k.operation, k.spanKind, k.spans, k.slotCount])).toEqual([
      ['shop', 'GET /a', 'server', 60, 2],
      ['shop', 'GET /b', 'server', 60, 2],
      ['__overflow__', '__overflow__', '__overflow__', 120, 0],
    ]);
    expect(all[2]?.overflow).toBe(true);
    expect(engine.untracked.keyLimit).toBe(120);
    expect(classify.calls).toHaveLength(2);
  });

  it('caps services: spans of services past the limit are only counted', () => {
    const { engine, send } = setup({ maxServices: 2 });
    for (const service of ['a', 'b', 'c']) send(5, { service, version: '1', route: '/x', ms: 5 });
    const services: string[] = [];
    engine.forEachService((s) => services.push(s.service));
    expect(services).toEqual(['a', 'b']);
    expect(engine.untracked.serviceLimit).toBe(5);
  });

  it('holds at most max_versions slots of reservoir_size samples per key, whatever the deploys', () => {
    const { engine, send, clock } = setup({ maxVersions: 3, reservoirSize: 100, minSamples: 10 });
    for (let version = 0; version < 12; version++) {
      send(500, { version: String(version), route: '/a', ms: 10 + version });
      clock.advance(MINUTE);
      engine.evaluate();
    }
    const [key] = keys(engine);
    expect(key?.slotCount).toBe(3);
    // 3 versions × 2 generations × 50 values × 4 bytes.
    expect(key?.allocatedBytes).toBeLessThanOrEqual(3 * 100 * 4);
    let tracked = 0;
    engine.forEachService((s) => (tracked = s.versions.length));
    expect(tracked).toBe(3);
  });

  it('keeps a bounded ring of recent events', () => {
    const { engine, send, clock } = setup({ minSamples: 10, maxVersions: 2 }, { recentEventCapacity: 3 });
    for (let version = 0; version < 8; version++) {
      // Alternately 10 ms and 30 ms: every deploy is a regression or an improvement.
      send(20, { version: String(version), route: '/a', ms: version % 2 === 0 ? 10 : 30 });
      clock.advance(MINUTE);
      engine.evaluate();
    }
    expect(engine.recentEvents().map((e) => `${e.baselineVersion}→${e.version}`)).toEqual(['4→5', '5→6', '6→7']);
  });

  it('bounds the comparisons of one evaluation', () => {
    const { engine, send, classify, clock } = setup({ minSamples: 10 }, { maxComparisonsPerEvaluation: 2 });
    for (const route of ['/a', '/b', '/c', '/d', '/e']) send(10, { version: '1', route, ms: 10 });
    clock.advance(MINUTE);
    for (const route of ['/a', '/b', '/c', '/d', '/e']) send(10, { version: '2', route, ms: 10 });
    engine.evaluate();
    expect(classify.calls).toHaveLength(2);
    engine.evaluate();
    engine.evaluate();
    engine.evaluate();
    expect(classify.calls).toHaveLength(5);
  });

  it('survives a classifier that throws and listeners that throw: reported once per pair, other keys go on', () => {
    const errors: unknown[] = [];
    let calls = 0;
    const { engine, send, clock } = setup(
      { minSamples: 10 },
      {
        classify: (control, experiment) => {
          calls++;
          if (calls === 1) throw new Error('degenerate sample');
          return meanRatioClassifier()(control, experiment, 'either');
        },
        onError: (e) => {
          errors.push(e);
          throw new Error('listener down');
        },
        onRegression: () => {
          throw new Error('listener down');
        },
        onDeploy: () => {
          throw new Error('listener down');
        },
      },
    );
    for (const route of ['/a', '/b']) send(10, { version: '1', route, ms: 10 });
    clock.advance(MINUTE);
    for (const route of ['/a', '/b']) send(10, { version: '2', route, ms: 30 });
    expect(() => engine.evaluate()).not.toThrow();
    expect(() => engine.evaluate()).not.toThrow();
    expect(calls).toBe(2);
    expect(engine.classificationFailures).toBe(1);
    expect(errors.map((e) => (e as Error).message)).toEqual(['degenerate sample']);
    expect(keys(engine).map((k) => [k.operation, k.latest?.outcome, k.regressions])).toEqual([
      ['GET /a', undefined, 0],
      ['GET /b', 'regression', 1],
    ]);
  });

  it('never throws for odd spans', () => {
    const { engine } = setup();
    const odd = span({ version: '1', ms: NaN });
    odd.kind = 99;
    expect(() => engine.record(odd)).not.toThrow();
    const weird = span({ version: '1', route: '/x', ms: -5 });
    weird.attributes = { 'http.route': 42, 'http.request.method': null };
    expect(() => engine.record(weird)).not.toThrow();
    expect(() => engine.record(span({ version: '1', route: '/x', ms: Infinity }))).not.toThrow();
    expect(engine.keyCount).toBe(2);
    // Neither the negative nor the infinite duration reaches a reservoir, where it would spoil the comparison.
    expect(engine.untracked.invalidDuration).toBe(2);
    expect(keys(engine).map((k) => [k.operation, k.spans, k.slotCount])).toEqual([
      ['GET', 1, 0],
      ['GET /x', 1, 0],
    ]);
  });

  it('refuses min_samples above the reservoir size', () => {
    expect(() => setup({ minSamples: 200, reservoirSize: 100 })).toThrow(RangeError);
  });
});

describe('describeRegression', () => {
  it('writes one line with the operation, both versions, the effect size, the p-value and the sample counts', () => {
    const event: RegressionEvent = {
      outcome: 'regression',
      classification: 'High',
      critical: false,
      service: 'shop',
      operation: 'POST /checkout',
      spanKind: 'server',
      baselineVersion: '1.0.0',
      version: '1.1.0',
      canary: false,
      effectSize: 1.5034,
      pValue: 1.234e-45,
      confidenceInterval: [17.2, 22.5],
      estimateMs: 19.8,
      controlCount: 500,
      experimentCount: 480,
      controlMeanMs: 40.12,
      experimentMeanMs: 60.31,
      atMs: T0,
      deployedAtMs: T0,
    };
    expect(describeRegression(event)).toBe(
      'deploy regression: service=shop operation="POST /checkout" span_kind=server 1.0.0 → 1.1.0 (rolling): ' +
        'latency mean 40.12 ms → 60.31 ms, effect size 1.503 (mean ratio), p-value 1.23e-45, shift +19.80 ms [+17.20, +22.50], samples 500 baseline / 480 new',
    );
    expect(describeRegression({ ...event, outcome: 'improvement', critical: true, canary: true, estimateMs: -3, confidenceInterval: [-4, -2] })).toMatch(
      /^deploy improvement \(critical\): .* \(canary\): .* shift -3\.00 ms \[-4\.00, -2\.00\]/,
    );
    expect(describeDeploy({ service: 'shop', baselineVersion: '1.0.0', version: '1.1.0', firstSeenMs: T0, atMs: T0 })).toBe('deploy detected: service=shop 1.0.0 → 1.1.0');
  });
});
