import { describe, expect, it } from 'vitest';
import { loadTraceFixture, traceFixtureDescription } from '../helpers/trace-fixtures';
import { N_PLUS_ONE_DB, N_PLUS_ONE_HTTP, NPlusOneAnalyzer, nPlusOneCallOf } from '../../src/recommend/n-plus-one-analyzer';
import type { NPlusOneOptions } from '../../src/recommend/n-plus-one-options';
import { DEFAULT_N_PLUS_ONE_OPTIONS, resolveNPlusOneOptions } from '../../src/recommend/n-plus-one-options';
import type { TraceFinding, TraceSpan } from '../../src/recommend/trace-span';
import { TraceTree } from '../../src/recommend/trace-tree';

function loadTrace(name: string): TraceSpan[] {
  expect(traceFixtureDescription(name).length).toBeGreaterThan(0);
  return loadTraceFixture(name);
}

function analyze(spans: readonly TraceSpan[], options?: NPlusOneOptions): TraceFinding[] {
  return new NPlusOneAnalyzer(options).analyze(new TraceTree(spans));
}

const ITEMS = 'SELECT * FROM order_items WHERE order_id = ?';
const INVENTORY = 'GET inventory:8080 /items/{id}';

interface Expected {
  readonly type: string;
  readonly operation: string;
  readonly groupKey: string;
  readonly count: number;
  readonly totalMs: number;
  readonly impactMs: number;
  readonly parentOperation: string;
}

const dbOrders = (over: Partial<Expected> = {}): Expected => ({
  type: N_PLUS_ONE_DB,
  operation: 'GET /orders',
  groupKey: ITEMS,
  count: 6,
  totalMs: 60,
  impactMs: 50,
  parentOperation: 'GET /orders',
  ...over,
});
const httpInventory = (over: Partial<Expected> = {}): Expected => ({
  type: N_PLUS_ONE_HTTP,
  operation: 'orders process',
  groupKey: INVENTORY,
  count: 6,
  totalMs: 90,
  impactMs: 75,
  parentOperation: 'enrichOrders',
  ...over,
});

const cases: readonly [file: string, expected: readonly Expected[], options?: NPlusOneOptions][] = [
  ['n-plus-one-db-positive.json', [dbOrders()]],
  ['n-plus-one-db-near-miss-count.json', []],
  ['n-plus-one-db-near-miss-duration.json', []],
  ['n-plus-one-db-concurrent.json', []],
  ['n-plus-one-db-different-statements.json', []],
  ['n-plus-one-db-truncated.json', []],
  ['n-plus-one-db-two-parents.json', [dbOrders({ parentOperation: 'loadOrders' }), dbOrders({ parentOperation: 'loadCustomers' })]],
  [
    'n-plus-one-db-conventions.json',
    [dbOrders({ groupKey: 'SELECT * FROM users WHERE name = ?' })],
  ],
  [
    'n-plus-one-db-interleaved.json',
    [dbOrders(), dbOrders({ groupKey: 'SELECT * FROM shipments WHERE order_id = ?' })],
  ],
  ['n-plus-one-http-positive.json', [httpInventory()]],
  ['n-plus-one-http-old-conventions.json', [httpInventory()]],
  ['n-plus-one-http-near-miss-duration.json', []],
  ['n-plus-one-http-different-hosts.json', []],
  ['n-plus-one-http-concurrent.json', []],
  // Thresholds are options: the near misses turn positive when lowered.
  ['n-plus-one-db-near-miss-count.json', [dbOrders({ count: 5, totalMs: 100, impactMs: 80 })], { minCount: 4 }],
  ['n-plus-one-db-near-miss-duration.json', [dbOrders({ totalMs: 40, impactMs: 40 - 40 / 6 })], { minTotalMs: 39 }],
  // Statements longer than the normaliser's limit are cut there, so skipped.
  ['n-plus-one-db-positive.json', [], { maxStatementLength: 20 }],
];

describe('NPlusOneAnalyzer over trace fixtures', () => {
  it.each(cases)('%s → %j (options %o)', (file, expected, options) => {
    const spans = loadTrace(file);
    const findings = analyze(spans, options);
    expect(findings.map((f) => [f.type, f.groupKey])).toEqual(expected.map((e) => [e.type, e.groupKey]));
    findings.forEach((finding, i) => {
      const e = expected[i]!;
      expect(finding.service).toBe('shop');
      expect(finding.operation).toBe(e.operation);
      expect(finding.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      expect(finding.evidence['count']).toBe(e.count);
      expect(finding.evidence['totalMs']).toBeCloseTo(e.totalMs, 9);
      expect(finding.impactMs).toBeCloseTo(e.impactMs, 9);
      expect(finding.evidence['parentOperation']).toBe(e.parentOperation);
      const examples = finding.evidence['exampleSpanIds'] as readonly string[];
      expect(examples).toHaveLength(3);
      // Examples are the run's first calls, in start order, all children of the reported parent.
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      const starts = examples.map((id) => byId.get(id)!.startTimeMs);
      expect([...starts].sort((a, b) => a - b)).toEqual(starts);
      for (const id of examples) expect(byId.get(id)!.parentSpanId).toBe(finding.evidence['parentSpanId']);
      if (e.type === N_PLUS_ONE_DB) {
        expect(finding.evidence['statement']).toBe(e.groupKey);
        expect(finding.evidence['target']).toBeUndefined();
      } else {
        expect(finding.evidence['target']).toBe(e.groupKey);
        expect(finding.evidence['statement']).toBeUndefined();
      }
    });
  });

  it('reports the database system, from either convention', () => {
    expect(analyze(loadTrace('n-plus-one-db-positive.json'))[0]!.evidence['dbSystem']).toBe('postgresql');
    expect(analyze(loadTrace('n-plus-one-db-conventions.json'))[0]!.evidence['dbSystem']).toBe('mysql');
  });

  it('near miss (HTTP): five calls are not more than minCount 5, whatever their total; six are', () => {
    const spans = loadTrace('n-plus-one-http-positive.json');
    const five = spans.filter((s) => s.spanId !== 'b000000000000006');
    // 5 × 15 = 75 ms stays over minTotalMs, so the count alone decides.
    expect(analyze(five)).toEqual([]);
    expect(analyze(five, { minCount: 4 }).map((f) => [f.type, f.evidence['count']])).toEqual([[N_PLUS_ONE_HTTP, 5]]);
    expect(analyze(spans).map((f) => [f.type, f.evidence['count']])).toEqual([[N_PLUS_ONE_HTTP, 6]]);
  });

  it('does not depend on the order spans arrived in', () => {
    const spans = loadTrace('n-plus-one-db-interleaved.json');
    expect(analyze([...spans].reverse())).toEqual(analyze(spans));
  });
});

/** A server span and `n` sequential children built by `child(i, start)`. */
function loop(n: number, child: (i: number, start: number) => Partial<TraceSpan>): TraceSpan[] {
  const base = { traceId: 't', service: 'svc', statusCode: 0 };
  const spans: TraceSpan[] = [
    { ...base, spanId: 'root', parentSpanId: '', name: 'job', kind: 5, startTimeMs: 0, endTimeMs: 1000, attributes: {} },
  ];
  for (let i = 0; i < n; i++) {
    const start = 1 + i * 20;
    spans.push({
      ...base,
      spanId: `c${i}`,
      parentSpanId: 'root',
      name: 'query',
      kind: 3,
      startTimeMs: start,
      endTimeMs: start + 15,
      attributes: { 'db.system.name': 'postgresql', 'db.query.text': `SELECT * FROM t WHERE id = ${i}` },
      ...child(i, start),
    });
  }
  return spans;
}

describe('NPlusOneAnalyzer runs', () => {
  it.each([
    ['a 0.9 ms overlap is within the 1 ms tolerance', 0.9, 1],
    ['a 1.5 ms overlap makes the calls concurrent', 1.5, 0],
  ])('%s', (_label, overlapMs, findings) => {
    // Each call starts `overlapMs` before the previous one ended.
    const spans = loop(6, (i) => ({ startTimeMs: 1 + i * (15 - overlapMs), endTimeMs: 16 + i * (15 - overlapMs) }));
    expect(analyze(spans)).toHaveLength(findings);
  });

  it('splits a run at a concurrent batch and reports the sequential part', () => {
    // 6 sequential calls, then 3 started together.
    const spans = loop(9, (i) => (i < 6 ? {} : { startTimeMs: 200, endTimeMs: 215 + i }));
    const findings = analyze(spans);
    expect(findings).toHaveLength(1);
    // The first of the batch still starts after the sixth call ended, so it extends the run; the next two overlap it.
    expect(findings[0]!.evidence['count']).toBe(7);
  });

  it('ignores spans that are neither DB nor HTTP calls, and DB spans without a statement', () => {
    const spans = loop(6, (i) => (i === 0 ? { attributes: { 'db.system.name': 'redis' } } : {}));
    expect(analyze(spans)).toHaveLength(0); // 5 statements left
    const internal = loop(6, () => ({ kind: 1, attributes: { 'db.query.text': 'SELECT 1' } }));
    expect(analyze(internal)).toHaveLength(0); // no db.system and not CLIENT
  });

  it('does not take CLIENT spans without an HTTP method for HTTP calls (gRPC, messaging)', () => {
    const spans = loop(6, () => ({ attributes: { 'rpc.system': 'grpc', 'server.address': 'inventory', 'server.port': 50051 } }));
    expect(analyze(spans)).toHaveLength(0);
  });

  it('falls back to the root when there is no SERVER or CONSUMER span', () => {
    const spans = loop(6, () => ({})).map((s) => (s.spanId === 'root' ? { ...s, kind: 1 } : s));
    expect(analyze(spans)[0]!.operation).toBe('job');
  });

  it('keeps at most maxExampleSpanIds examples', () => {
    expect(analyze(loop(8, () => ({})), { maxExampleSpanIds: 0 })[0]!.evidence['exampleSpanIds']).toEqual([]);
    expect(analyze(loop(8, () => ({})), { maxExampleSpanIds: 5 })[0]!.evidence['exampleSpanIds']).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
  });
});

describe('nPlusOneCallOf', () => {
  const span = (kind: number, attributes: Record<string, unknown>): TraceSpan => ({
    traceId: 't', spanId: 's', parentSpanId: 'p', service: 'svc', name: 'n', kind, startTimeMs: 0, endTimeMs: 1, statusCode: 0, attributes,
  });
  it.each([
    ['stable DB', span(3, { 'db.system.name': 'postgresql', 'db.query.text': 'SELECT 1' }), { type: N_PLUS_ONE_DB, groupKey: 'SELECT ?', dbSystem: 'postgresql' }],
    ['old DB', span(3, { 'db.system': 'mysql', 'db.statement': "SELECT 'a\\'b'" }), { type: N_PLUS_ONE_DB, groupKey: 'SELECT ?', dbSystem: 'mysql' }],
    ['DB on an INTERNAL span with db.system', span(1, { 'db.system': 'sqlite', 'db.statement': 'DELETE FROM t WHERE id = 3' }), { type: N_PLUS_ONE_DB, groupKey: 'DELETE FROM t WHERE id = ?', dbSystem: 'sqlite' }],
    ['ellipsis-truncated DB', span(3, { 'db.system': 'mysql', 'db.statement': 'SELECT a FROM t WHERE …' }), undefined],
    ['stable HTTP', span(3, { 'http.request.method': 'get', 'url.full': 'https://api.example.com/v1/users/42' }), { type: N_PLUS_ONE_HTTP, groupKey: 'GET api.example.com /v1/users/{id}', dbSystem: undefined }],
    ['old HTTP', span(3, { 'http.method': 'POST', 'http.url': 'http://api:8080/v1/users/42/orders' }), { type: N_PLUS_ONE_HTTP, groupKey: 'POST api:8080 /v1/users/{id}/orders', dbSystem: undefined }],
    ['HTTP server span', span(2, { 'http.request.method': 'GET', 'url.full': 'http://a/b' }), undefined],
    ['HTTP without host', span(3, { 'http.request.method': 'GET', 'url.path': '/b' }), undefined],
  ])('%s', (_label, input, expected) => {
    expect(nPlusOneCallOf(input, 4096)).toEqual(expected);
  });
});

describe('resolveNPlusOneOptions', () => {
  it('fills the defaults in one place (Sentry’s: more than 5 calls, more than 50 ms)', () => {
    expect(resolveNPlusOneOptions()).toEqual(DEFAULT_N_PLUS_ONE_OPTIONS);
    expect(DEFAULT_N_PLUS_ONE_OPTIONS).toEqual({ minCount: 5, minTotalMs: 50, overlapToleranceMs: 1, maxStatementLength: 4096, maxExampleSpanIds: 3 });
    expect(Object.isFrozen(resolveNPlusOneOptions({ minCount: 2 }))).toBe(true);
    expect(new NPlusOneAnalyzer({ minTotalMs: 0 }).options.minTotalMs).toBe(0);
  });

  it.each([
    [{ minCount: 0 }, /minCount/],
    [{ minCount: 2.5 }, /minCount/],
    [{ minTotalMs: -1 }, /minTotalMs/],
    [{ minTotalMs: Number.NaN }, /minTotalMs/],
    [{ overlapToleranceMs: -0.1 }, /overlapToleranceMs/],
    [{ overlapToleranceMs: Number.POSITIVE_INFINITY }, /overlapToleranceMs/],
    [{ maxStatementLength: 8 }, /maxStatementLength/],
    [{ maxExampleSpanIds: -1 }, /maxExampleSpanIds/],
  ])('rejects %o with a RangeError naming the option', (options, message) => {
    expect(() => resolveNPlusOneOptions(options)).toThrow(RangeError);
    expect(() => new NPlusOneAnalyzer(options)).toThrow(message);
  });
});
