import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadTraceFixture, traceFixtureDescription } from '../helpers/trace-fixtures';
import { OtlpSpanKind } from '../../src/engine/span-sample';
import { SELF_KEY } from '../../src/recommend/critical-path';
import {
  DOMINANT_DEPENDENCY_TYPE,
  DominantDependencyStats,
  MAX_DEPENDENCY_KEY_LENGTH,
  OTHER_DEPENDENCIES_KEY,
  dependencyKindOf,
  dominantDependencyKeyOf,
} from '../../src/recommend/dominant-dependency';
import type { DominantDependencyOptions } from '../../src/recommend/dominant-dependency-options';
import { DEFAULT_DOMINANT_DEPENDENCY_OPTIONS, resolveDominantDependencyOptions } from '../../src/recommend/dominant-dependency-options';
import type { TraceSpan } from '../../src/recommend/trace-span';
import { TraceTree } from '../../src/recommend/trace-tree';

const MINUTE = 60_000;
const ORDERS_DB = 'db postgresql db.internal:5432';

function traceId(n: number): string {
  return n.toString(16).padStart(32, '0');
}

/** The fixture's spans in trace `traceId(n)`, every time multiplied by `scale` (shares do not change). */
function copyOf(name: string, n: number, scale = 1): TraceSpan[] {
  expect(traceFixtureDescription(name).length).toBeGreaterThan(0);
  return loadTraceFixture(name).map((s) => ({ ...s, traceId: traceId(n), startTimeMs: s.startTimeMs * scale, endTimeMs: s.endTimeMs * scale }));
}

/** Observes `count` copies of a fixture at `nowMs`, trace ids `first`…; `scaleOf(i)` stretches the i-th copy. */
function feed(stats: DominantDependencyStats, name: string, count: number, nowMs: number, scaleOf: (i: number) => number = () => 1, first = 1): void {
  for (let i = 0; i < count; i++) stats.observe(new TraceTree(copyOf(name, first + i, scaleOf(i))), nowMs);
}

function findingsOf(name: string, count: number, options?: DominantDependencyOptions): ReturnType<DominantDependencyStats['findings']> {
  const stats = new DominantDependencyStats(options);
  feed(stats, name, count, 0);
  return stats.findings(0);
}

describe('DominantDependencyStats: findings over fixtures', () => {
  it('positive: a database query taking 90 % of GET /orders over 30 traces', () => {
    const stats = new DominantDependencyStats();
    // Copy i is stretched by 1 + i/100, so the slowest traces are the last ones.
    feed(stats, 'dominant-db-positive.json', 30, 0, (i) => 1 + i / 100);
    const findings = stats.findings(MINUTE);
    expect(findings).toHaveLength(1);
    const finding = findings[0]!;
    const meanScale = 1 + 29 / 200;
    expect(finding).toMatchObject({ type: DOMINANT_DEPENDENCY_TYPE, service: 'shop', operation: 'GET /orders', groupKey: ORDERS_DB, traceId: traceId(30) });
    expect(finding.impactMs).toBeCloseTo(90 * meanScale, 3);
    expect(finding.evidence).toMatchObject({
      dependency: ORDERS_DB,
      kind: 'db',
      share: 0.9,
      traces: 30,
      // The handler's own 8 ms come before the 2 ms Redis lookup.
      secondDependency: SELF_KEY,
      secondShare: 0.08,
      windowMs: 600_000,
      exampleTraceIds: [30, 29, 28, 27, 26].map(traceId),
    });
    expect(finding.evidence['meanLatencyMs']).toBeCloseTo(100 * meanScale, 3);
    expect(stats.operationShares(MINUTE)[0]!.shares['db redis cache:6379']).toBeCloseTo(0.02, 9);
    expect(finding.evidence['meanDependencyMs']).toBeCloseTo(90 * meanScale, 3);
    expect(JSON.parse(JSON.stringify(finding.evidence))).toEqual(finding.evidence);
  });

  it('near miss: a 0.59 share is below minShare 0.6, and is found at 0.59', () => {
    expect(findingsOf('dominant-near-miss-share.json', 30)).toEqual([]);
    const found = findingsOf('dominant-near-miss-share.json', 30, { minShare: 0.59 });
    expect(found.map((f) => [f.groupKey, f.evidence['share'], f.evidence['secondDependency'], f.evidence['secondShare']])).toEqual([[ORDERS_DB, 0.59, SELF_KEY, 0.41]]);
  });

  it('near miss: a mean latency of 49 ms is below minMeanLatencyMs 50, and is found at 49', () => {
    expect(findingsOf('dominant-near-miss-latency.json', 30)).toEqual([]);
    const found = findingsOf('dominant-near-miss-latency.json', 30, { minMeanLatencyMs: 49 });
    expect(found.map((f) => [f.groupKey, f.evidence['meanLatencyMs'], f.impactMs])).toEqual([[ORDERS_DB, 49, 44]]);
    expect(found[0]!.evidence['share']).toBeCloseTo(44 / 49, 4);
  });

  it('near miss: minTraces − 1 traces give nothing; the next trace gives the finding', () => {
    const stats = new DominantDependencyStats();
    feed(stats, 'dominant-db-positive.json', DEFAULT_DOMINANT_DEPENDENCY_OPTIONS.minTraces - 1, 0);
    expect(stats.findings(0)).toEqual([]);
    feed(stats, 'dominant-db-positive.json', 1, 0, () => 1, 100);
    expect(stats.findings(0).map((f) => f.evidence['traces'])).toEqual([20]);
  });

  it('negative: time spread evenly over the database, HTTP, gRPC and the code itself', () => {
    expect(findingsOf('dominant-spread.json', 50)).toEqual([]);
    const stats = new DominantDependencyStats();
    feed(stats, 'dominant-spread.json', 50, 0);
    expect(stats.operationShares(0)).toEqual([
      {
        service: 'shop',
        operation: 'GET /orders',
        traces: 50,
        meanLatencyMs: 120,
        shares: { [SELF_KEY]: 0.25, 'rpc grpc inventory.Stock': 0.25, 'http pricing.example.com': 0.25, [ORDERS_DB]: 0.25 },
      },
    ]);
    // Even a low threshold names one of four equal keys only when it is at most a quarter.
    expect(findingsOf('dominant-spread.json', 50, { minShare: 0.26 })).toEqual([]);
  });

  it("'self' dominant: the operation's own code (INTERNAL spans included)", () => {
    const findings = findingsOf('dominant-self.json', 25);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ operation: 'GET /report', groupKey: SELF_KEY, impactMs: 190 });
    expect(findings[0]!.evidence).toMatchObject({ dependency: SELF_KEY, kind: 'self', share: 0.95, secondDependency: ORDERS_DB, secondShare: 0.05 });
  });

  it("charges a callee's time to the call that led to it, and reports the callee as its own operation", () => {
    // The callee's operation takes 71 ms: under the default floor, so it is lowered here.
    const findings = findingsOf('dominant-downstream.json', 20, { minMeanLatencyMs: 50 });
    expect(findings.map((f) => [f.service, f.operation, f.groupKey, f.evidence['kind'], f.impactMs])).toEqual([
      ['shop', 'GET /cart', 'http inventory:8080', 'http', 75],
      ['inventory', 'GET /stock/:id', 'db postgresql stock-db:5432', 'db', 65],
    ]);
    expect(findings[0]!.evidence).toMatchObject({ share: 0.75, secondDependency: SELF_KEY, secondShare: 0.15 });
    expect(findings[1]!.evidence['share']).toBeCloseTo(65 / 71, 4);
  });
});

function span(fields: Partial<TraceSpan> & Pick<TraceSpan, 'spanId'>): TraceSpan {
  return {
    traceId: traceId(1),
    parentSpanId: 'r',
    service: 'shop',
    name: 'span',
    kind: OtlpSpanKind.INTERNAL,
    startTimeMs: 0,
    endTimeMs: 1,
    statusCode: 0,
    attributes: {},
    ...fields,
  };
}

function server(route: string, endTimeMs: number, id = traceId(1)): TraceSpan {
  return span({ traceId: id, spanId: 'r', parentSpanId: '', name: `GET ${route}`, kind: OtlpSpanKind.SERVER, endTimeMs, attributes: { 'http.request.method': 'GET', 'http.route': route } });
}

function httpCall(spanId: string, host: string, startTimeMs: number, endTimeMs: number, parentSpanId = 'r', id = traceId(1)): TraceSpan {
  return span({ traceId: id, spanId, parentSpanId, kind: OtlpSpanKind.CLIENT, startTimeMs, endTimeMs, attributes: { 'http.request.method': 'GET', 'server.address': host } });
}

describe('DominantDependencyStats: window and bounds', () => {
  it('ages traces out of the rolling window (two half-window generations)', () => {
    const stats = new DominantDependencyStats({ windowMs: 10 * MINUTE });
    feed(stats, 'dominant-db-positive.json', 30, 0);
    expect(stats.findings(4 * MINUTE)).toHaveLength(1);
    // At 5 min the first generation becomes the older one: still in the window.
    expect(stats.findings(7 * MINUTE)).toHaveLength(1);
    // Evenly spread traces of the same operation in the new generation dilute the share:
    // db (30 × 90 + 30 × 30) / (30 × 100 + 30 × 120) = 0.545.
    feed(stats, 'dominant-spread.json', 30, 7 * MINUTE, () => 1, 100);
    expect(stats.findings(7 * MINUTE)).toEqual([]);
    expect(stats.operationShares(7 * MINUTE)[0]!.shares[ORDERS_DB]).toBeCloseTo(3600 / 6600, 9);
    // At 10 min the database-heavy generation is dropped; the spread one remains.
    expect(stats.operationShares(10 * MINUTE)[0]).toMatchObject({ traces: 30, meanLatencyMs: 120 });
    // At 15 min nothing is left and the operation is freed.
    expect(stats.findings(15 * MINUTE)).toEqual([]);
    expect(stats.counters().operations).toBe(0);
  });

  it('forgets everything after a gap of a whole window, and ignores time going backwards', () => {
    const stats = new DominantDependencyStats({ windowMs: 10 * MINUTE });
    feed(stats, 'dominant-db-positive.json', 30, 0);
    expect(stats.findings(-MINUTE)).toHaveLength(1);
    expect(stats.findings(60 * MINUTE)).toEqual([]);
    expect(stats.counters().operations).toBe(0);
  });

  it('caps operations: requests of further operations are only counted, until operations age out', () => {
    const stats = new DominantDependencyStats({ maxOperations: 2, minTraces: 1, windowMs: 10 * MINUTE });
    for (const route of ['/a', '/b', '/c', '/d']) {
      stats.observe(new TraceTree([server(route, 100), httpCall('h', 'api', 0, 95)]), 0);
    }
    expect(stats.counters()).toEqual({ operations: 2, overflowRequests: 2, foldedDependencies: 0 });
    expect(stats.findings(0).map((f) => f.operation)).toEqual(['GET /a', 'GET /b']);
    // A whole window later the held operations are gone and a new one gets a slot.
    stats.observe(new TraceTree([server('/c', 100), httpCall('h', 'api', 0, 95)]), 10 * MINUTE);
    expect(stats.findings(10 * MINUTE).map((f) => f.operation)).toEqual(['GET /c']);
    expect(stats.counters()).toEqual({ operations: 1, overflowRequests: 2, foldedDependencies: 0 });
  });

  it('caps keys per operation: a larger new key evicts the smallest into other; smaller ones go to other', () => {
    const stats = new DominantDependencyStats({ maxDependenciesPerOperation: 2, minTraces: 1 });
    // Critical path, latest first: self [70,100], http a [60,70], http b [0,60].
    stats.observe(new TraceTree([server('/x', 100), httpCall('b', 'b.example', 0, 60), httpCall('a', 'a.example', 60, 70)]), 0);
    expect(stats.operationShares(0)[0]!.shares).toEqual({ [SELF_KEY]: 0.3, 'http b.example': 0.6, [OTHER_DEPENDENCIES_KEY]: 0.1 });
    expect(stats.counters().foldedDependencies).toBe(1);
    expect(stats.findings(0).map((f) => [f.groupKey, f.evidence['share']])).toEqual([['http b.example', 0.6]]);
    // A small new key goes to other without evicting anything.
    stats.observe(new TraceTree([server('/x', 100, traceId(2)), httpCall('c', 'c.example', 0, 5, 'r', traceId(2))]), 0);
    expect(Object.keys(stats.operationShares(0)[0]!.shares)).toEqual([SELF_KEY, 'http b.example', OTHER_DEPENDENCIES_KEY]);
    expect(stats.counters().foldedDependencies).toBe(2);
  });

  it("charges a transport span under an SDK's CLIENT span to the SDK call", () => {
    const spans = [
      server('/upload', 100),
      span({ spanId: 's3', kind: OtlpSpanKind.CLIENT, startTimeMs: 5, endTimeMs: 95, attributes: { 'rpc.system': 'aws-api', 'rpc.service': 'S3' } }),
      httpCall('t', 'bucket.s3.amazonaws.com', 10, 90, 's3'),
    ];
    const stats = new DominantDependencyStats({ minTraces: 1 });
    stats.observe(new TraceTree(spans), 0);
    expect(stats.findings(0).map((f) => [f.groupKey, f.evidence['kind'], f.impactMs])).toEqual([['rpc aws-api S3', 'other', 90]]);
  });

  it('keeps at most maxExampleTraceIds examples, the slowest first, one per trace', () => {
    const stats = new DominantDependencyStats({ maxExampleTraceIds: 2, minTraces: 1 });
    feed(stats, 'dominant-db-positive.json', 10, 0, (i) => 1 + ((i * 7) % 10) / 10);
    // Scales 1.0, 1.7, 1.4, 1.1, 1.8, 1.5, 1.2, 1.9, 1.6, 1.3: the slowest are copies 8 and 5 (trace ids 8, 5).
    expect(stats.findings(0)[0]!.evidence['exampleTraceIds']).toEqual([traceId(8), traceId(5)]);
  });
});

/** A random trace: spans of random kinds and dependencies under earlier spans, possibly skewed. */
const randomTrace = fc
  .array(
    fc.record({
      parent: fc.nat(),
      kind: fc.constantFrom(OtlpSpanKind.INTERNAL, OtlpSpanKind.SERVER, OtlpSpanKind.CLIENT, OtlpSpanKind.PRODUCER, OtlpSpanKind.CONSUMER),
      service: fc.constantFrom('shop', 'inventory'),
      target: fc.constantFrom('db', 'http-a', 'http-b', 'rpc', 'none'),
      start: fc.double({ min: -20, max: 200, noNaN: true }),
      length: fc.double({ min: -5, max: 120, noNaN: true }),
    }),
    { minLength: 0, maxLength: 25 },
  )
  .map((children) => {
    const spans: TraceSpan[] = [server(['/a', '/b'][children.length % 2]!, 150)];
    children.forEach((child, i) => {
      const attributes: Record<string, unknown> =
        child.target === 'db'
          ? { 'db.system.name': 'postgresql', 'server.address': 'db' }
          : child.target === 'rpc'
            ? { 'rpc.system': 'grpc', 'rpc.service': 'x.Y' }
            : child.target === 'none'
              ? {}
              : { 'http.request.method': 'GET', 'server.address': child.target };
      spans.push(
        span({
          spanId: `s${i}`,
          parentSpanId: spans[child.parent % spans.length]!.spanId,
          service: child.service,
          name: `n${i % 3}`,
          kind: child.kind,
          startTimeMs: child.start,
          endTimeMs: child.start + child.length,
          attributes,
        }),
      );
    });
    return spans;
  });

describe('DominantDependencyStats: invariants', () => {
  it('property: the shares of every operation add up to 1 (≤ 1 + 1e-9), whatever the key cap and the window', () => {
    fc.assert(
      fc.property(fc.array(randomTrace, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 5 }), (traces, maxDependenciesPerOperation) => {
        const stats = new DominantDependencyStats({ maxDependenciesPerOperation, windowMs: 4 * MINUTE });
        traces.forEach((spans, i) => stats.observe(new TraceTree(spans.map((s) => ({ ...s, traceId: traceId(i + 1) }))), i * MINUTE));
        const nowMs = (traces.length - 1) * MINUTE;
        for (const operation of stats.operationShares(nowMs)) {
          const values = Object.values(operation.shares);
          const keys = Object.keys(operation.shares).filter((k) => k !== OTHER_DEPENDENCIES_KEY);
          expect(keys.length).toBeLessThanOrEqual(maxDependenciesPerOperation);
          for (const value of values) expect(value).toBeGreaterThanOrEqual(0);
          const total = values.reduce((a, b) => a + b, 0);
          expect(total).toBeLessThanOrEqual(1 + 1e-9);
          // The walk tiles each entry span: nothing is lost either, when there was time at all.
          if (operation.meanLatencyMs > 0) expect(total).toBeGreaterThanOrEqual(1 - 1e-9);
        }
        for (const finding of stats.findings(nowMs)) {
          expect(finding.evidence['share']).toBeGreaterThanOrEqual(DEFAULT_DOMINANT_DEPENDENCY_OPTIONS.minShare - 1e-4);
          expect(finding.groupKey).not.toBe(OTHER_DEPENDENCIES_KEY);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('dominantDependencyKeyOf and dependencyKindOf', () => {
  it('keys CLIENT spans by dependency, names other clients, and cuts long keys', () => {
    const client = (attributes: Record<string, unknown>, name = 'op'): TraceSpan => span({ spanId: 'c', kind: OtlpSpanKind.CLIENT, name, attributes });
    expect(dominantDependencyKeyOf(client({ 'db.system': 'mysql', 'net.peer.name': 'DB', 'net.peer.port': 3306 }))).toBe('db mysql db:3306');
    expect(dominantDependencyKeyOf(client({ 'http.request.method': 'GET', 'url.full': 'https://api.example.com/v1/x' }))).toBe('http api.example.com');
    expect(dominantDependencyKeyOf(client({ 'messaging.system': 'kafka' }, 'orders publish'))).toBe('client orders publish');
    expect(dominantDependencyKeyOf(span({ spanId: 'i', attributes: { 'db.system': 'mysql' } }))).toBeUndefined();
    const long = dominantDependencyKeyOf(client({}, 'x'.repeat(1000)))!;
    expect(long).toHaveLength(MAX_DEPENDENCY_KEY_LENGTH);
    expect(long.endsWith('…')).toBe(true);
    expect(['db mysql db:3306', 'http api', SELF_KEY, 'rpc grpc a.B', 'client x'].map(dependencyKindOf)).toEqual(['db', 'http', 'self', 'other', 'other']);
  });
});

describe('resolveDominantDependencyOptions', () => {
  it('fills the defaults', () => {
    expect(resolveDominantDependencyOptions()).toEqual(DEFAULT_DOMINANT_DEPENDENCY_OPTIONS);
    expect(DEFAULT_DOMINANT_DEPENDENCY_OPTIONS).toEqual({
      windowMs: 600_000,
      minTraces: 20,
      minShare: 0.6,
      minMeanLatencyMs: 100,
      maxOperations: 1000,
      maxDependenciesPerOperation: 16,
      maxExampleTraceIds: 5,
    });
    expect(Object.isFrozen(resolveDominantDependencyOptions({ minShare: 1 }))).toBe(true);
  });

  it.each<[DominantDependencyOptions, RegExp]>([
    [{ windowMs: 1 }, /windowMs/],
    [{ minTraces: 0 }, /minTraces/],
    [{ minShare: 0 }, /minShare/],
    [{ minShare: 1.01 }, /minShare/],
    [{ minShare: Number.NaN }, /minShare/],
    [{ minMeanLatencyMs: -1 }, /minMeanLatencyMs/],
    [{ maxOperations: 0.5 }, /maxOperations/],
    [{ maxDependenciesPerOperation: 0 }, /maxDependenciesPerOperation/],
    [{ maxExampleTraceIds: 0 }, /maxExampleTraceIds/],
  ])('rejects %o with a RangeError naming the option', (options, message) => {
    expect(() => resolveDominantDependencyOptions(options)).toThrow(RangeError);
    expect(() => new DominantDependencyStats(options)).toThrow(message);
  });
});
