import { describe, expect, it } from 'vitest';
import { OtlpSpanKind, OtlpStatusCode } from '../../src/engine/span-sample';
import { CallFailure, callFailureOf, dependencyKeyOf } from '../../src/recommend/dependency-call';
import {
  DependencyStats,
  ERROR_PRONE_DEPENDENCY_TYPE,
  OVERFLOW_KEY,
  REMEDY_HINTS,
  SLOW_DB_STATEMENT_TYPE,
  remedyFor,
} from '../../src/recommend/dependency-stats';
import { resolveDependencyStatsOptions } from '../../src/recommend/dependency-stats-options';
import type { TraceSpan } from '../../src/recommend/trace-span';
import { TraceTree } from '../../src/recommend/trace-tree';

const MINUTE = 60_000;

function traceId(n: number): string {
  return n.toString(16).padStart(32, '0');
}

function span(fields: Partial<TraceSpan> & Pick<TraceSpan, 'spanId'>): TraceSpan {
  return {
    traceId: traceId(0),
    parentSpanId: '',
    service: 'shop',
    name: 'span',
    kind: OtlpSpanKind.INTERNAL,
    startTimeMs: 0,
    endTimeMs: 1,
    statusCode: OtlpStatusCode.UNSET,
    attributes: {},
    ...fields,
  };
}

/** A SERVER span `GET /orders` with the given CLIENT children, all in trace `n`. */
function trace(n: number, children: readonly { durationMs: number; attributes: Record<string, unknown>; statusCode?: number }[], route = '/orders'): TraceTree {
  const id = traceId(n);
  const root = span({ traceId: id, spanId: 'a0', name: `GET ${route}`, kind: OtlpSpanKind.SERVER, endTimeMs: 10_000, attributes: { 'http.request.method': 'GET', 'http.route': route } });
  let start = 0;
  const spans = [root];
  children.forEach((child, i) => {
    spans.push(
      span({
        traceId: id,
        spanId: `b${i}`,
        parentSpanId: 'a0',
        kind: OtlpSpanKind.CLIENT,
        startTimeMs: start,
        endTimeMs: start + child.durationMs,
        statusCode: child.statusCode ?? OtlpStatusCode.UNSET,
        attributes: child.attributes,
      }),
    );
    start += child.durationMs;
  });
  return new TraceTree(spans);
}

function pg(sql: string): Record<string, unknown> {
  return { 'db.system.name': 'postgresql', 'db.query.text': sql, 'server.address': 'DB.internal', 'server.port': 5432 };
}

const SLOW_SQL = 'SELECT * FROM orders WHERE customer_id = 42';
const SLOW_KEY = 'postgresql SELECT * FROM orders WHERE customer_id = ?';

/** Feeds `count` traces, each running the statement once with durations from `durationOf(i)`. */
function feedStatements(stats: DependencyStats, count: number, durationOf: (i: number) => number, nowMs: number, firstTrace = 1): void {
  for (let i = 0; i < count; i++) stats.observe(trace(firstTrace + i, [{ durationMs: durationOf(i), attributes: pg(SLOW_SQL.replace('42', String(i))) }]), nowMs);
}

const PAYMENTS = { 'http.request.method': 'POST', 'url.full': 'https://payments.example.com/v1/charges/123' };

function feedCalls(stats: DependencyStats, calls: number, failures: number, nowMs: number, failed: { durationMs: number; attributes?: Record<string, unknown>; statusCode?: number }): void {
  for (let i = 0; i < calls; i++) {
    const child =
      i < failures
        ? { durationMs: failed.durationMs, attributes: { ...PAYMENTS, ...failed.attributes }, statusCode: failed.statusCode ?? OtlpStatusCode.ERROR }
        : { durationMs: 20, attributes: { ...PAYMENTS, 'http.response.status_code': 200 } };
    stats.observe(trace(1000 + i, [child], '/checkout'), nowMs);
  }
}

describe('DependencyStats: slow_db_statement', () => {
  it('positive: reports a statement whose p95 is over 100 ms with its evidence and caller', () => {
    const stats = new DependencyStats();
    // 30 executions: 1..30 × 10 ms, so p95 ≈ 290 ms (rank 28.55 of 30).
    feedStatements(stats, 30, (i) => (i + 1) * 10, 0);
    const findings = stats.slowDbStatements(MINUTE);
    expect(findings).toHaveLength(1);
    const finding = findings[0]!;
    expect(finding.type).toBe(SLOW_DB_STATEMENT_TYPE);
    expect(finding.service).toBe('shop');
    expect(finding.operation).toBe('GET /orders');
    expect(finding.groupKey).toBe(SLOW_KEY);
    const evidence = finding.evidence;
    expect(evidence.statement).toBe('SELECT * FROM orders WHERE customer_id = ?');
    expect(evidence.dbSystem).toBe('postgresql');
    expect(evidence.count).toBe(30);
    expect(evidence.p50Ms as number).toBeGreaterThan(150 * 0.98);
    expect(evidence.p50Ms as number).toBeLessThan(160 * 1.02);
    expect(evidence.p95Ms as number).toBeGreaterThan(280 * 0.98);
    expect(evidence.p95Ms as number).toBeLessThan(290 * 1.02);
    expect(evidence.p99Ms as number).toBeGreaterThan(290 * 0.98);
    expect(evidence.maxMs).toBe(300);
    expect(finding.impactMs).toBeCloseTo((evidence.p95Ms as number) - 100, 2);
    // The slowest five executions, slowest first; the finding's trace is the slowest.
    expect(evidence.exampleTraceIds).toEqual([30, 29, 28, 27, 26].map(traceId));
    expect(finding.traceId).toBe(traceId(30));
    expect(JSON.parse(JSON.stringify(finding.evidence))).toEqual(finding.evidence);
  });

  it('near miss: p95 just under 100 ms is not reported, and is reported at a lower threshold', () => {
    const stats = new DependencyStats();
    feedStatements(stats, 40, () => 95, 0);
    expect(stats.slowDbStatements(0)).toEqual([]);
    const lower = new DependencyStats({ slowStatementP95Ms: 90 });
    feedStatements(lower, 40, () => 95, 0);
    expect(lower.slowDbStatements(0)).toHaveLength(1);
  });

  it('near miss: 19 slow executions are fewer than minSamples = 20; the 20th reports', () => {
    const stats = new DependencyStats();
    feedStatements(stats, 19, () => 500, 0);
    expect(stats.slowDbStatements(0)).toEqual([]);
    feedStatements(stats, 1, () => 500, 0, 100);
    expect(stats.slowDbStatements(0)).toHaveLength(1);
  });

  it('negative: fast statements, non-CLIENT database spans and spans without a statement are not reported', () => {
    const stats = new DependencyStats();
    feedStatements(stats, 50, () => 3, 0);
    for (let i = 0; i < 50; i++) {
      const internal = span({ traceId: traceId(i), spanId: 'c', kind: OtlpSpanKind.INTERNAL, endTimeMs: 900, attributes: pg('SELECT 1') });
      const noText = span({ traceId: traceId(i), spanId: 'd', kind: OtlpSpanKind.CLIENT, endTimeMs: 900, attributes: { 'db.system': 'redis' } });
      stats.observe(new TraceTree([internal, noText]), 0);
    }
    expect(stats.slowDbStatements(0)).toEqual([]);
    expect(stats.counters().statementKeys).toBe(1);
  });

  it('skips truncated statements and counts them', () => {
    const stats = new DependencyStats();
    const long = `SELECT * FROM t WHERE ${'a = 1 AND '.repeat(500)}b = 2`;
    for (let i = 0; i < 30; i++) stats.observe(trace(i, [{ durationMs: 500, attributes: pg(long) }]), 0);
    expect(stats.slowDbStatements(0)).toEqual([]);
    expect(stats.counters()).toMatchObject({ statementKeys: 0, truncatedStatementsSkipped: 30 });
    // The call still counts for its dependency (database at DB.internal).
    expect(stats.counters().dependencyKeys).toBe(1);
  });

  it('ages data out of the rolling window (two half-window generations)', () => {
    const stats = new DependencyStats({ windowMs: 10 * MINUTE });
    feedStatements(stats, 30, () => 400, 0);
    expect(stats.slowDbStatements(4 * MINUTE)).toHaveLength(1);
    // At 5 min the first generation becomes the older one: still in the window.
    expect(stats.slowDbStatements(7 * MINUTE)).toHaveLength(1);
    // Fast executions in the new generation do not hide the slow ones still in the window.
    feedStatements(stats, 30, () => 5, 7 * MINUTE, 100);
    expect(stats.slowDbStatements(7 * MINUTE)[0]?.evidence.count).toBe(60);
    // At 10 min the slow generation is dropped; only the fast one remains.
    const later = stats.slowDbStatements(10 * MINUTE);
    expect(later).toEqual([]);
    expect(stats.counters().statementKeys).toBe(1);
    // At 15 min nothing is left and the key is freed.
    expect(stats.slowDbStatements(15 * MINUTE)).toEqual([]);
    expect(stats.counters().statementKeys).toBe(0);
  });

  it('forgets everything after a gap of a whole window, and ignores time going backwards', () => {
    const stats = new DependencyStats({ windowMs: 10 * MINUTE });
    feedStatements(stats, 30, () => 400, 0);
    expect(stats.slowDbStatements(-MINUTE)).toHaveLength(1);
    expect(stats.slowDbStatements(60 * MINUTE)).toEqual([]);
    expect(stats.counters().statementKeys).toBe(0);
  });

  it('caps keys: further statements go to __overflow__, are counted, and never reported', () => {
    const stats = new DependencyStats({ maxKeys: 3, minSamples: 1 });
    for (let table = 0; table < 10; table++) {
      stats.observe(trace(table, [{ durationMs: 500, attributes: pg(`SELECT * FROM t${table}`) }]), 0);
    }
    const counters = stats.counters();
    expect(counters.statementKeys).toBe(3);
    expect(counters.statementOverflowCalls).toBe(7);
    const keys = stats.slowDbStatements(0).map((f) => f.groupKey);
    expect(keys).toEqual(['postgresql SELECT * FROM t0', 'postgresql SELECT * FROM t1', 'postgresql SELECT * FROM t2']);
    expect(keys).not.toContain(OVERFLOW_KEY);
  });

  it('names the operation that ran the statement most', () => {
    const stats = new DependencyStats({ minSamples: 1 });
    for (let i = 0; i < 3; i++) stats.observe(trace(i, [{ durationMs: 300, attributes: pg(SLOW_SQL) }], '/reports'), 0);
    for (let i = 3; i < 10; i++) stats.observe(trace(i, [{ durationMs: 300, attributes: pg(SLOW_SQL) }], '/orders'), 0);
    expect(stats.slowDbStatements(0)[0]?.operation).toBe('GET /orders');
  });

  it('keeps one example per trace even when a trace runs the statement many times', () => {
    const stats = new DependencyStats({ minSamples: 1 });
    stats.observe(trace(1, Array.from({ length: 10 }, (_, i) => ({ durationMs: 200 + i, attributes: pg(SLOW_SQL) }))), 0);
    stats.observe(trace(2, [{ durationMs: 150, attributes: pg(SLOW_SQL) }]), 0);
    expect(stats.slowDbStatements(0)[0]?.evidence.exampleTraceIds).toEqual([traceId(1), traceId(2)]);
  });
});

describe('DependencyStats: error_prone_dependency', () => {
  it('positive: 10 failures in 100 calls to a host (5xx) suggest a circuit breaker', () => {
    const stats = new DependencyStats();
    feedCalls(stats, 100, 10, 0, { durationMs: 30, attributes: { 'http.response.status_code': 500 } });
    const findings = stats.errorProneDependencies(0);
    expect(findings).toHaveLength(1);
    const finding = findings[0]!;
    expect(finding).toMatchObject({ type: ERROR_PRONE_DEPENDENCY_TYPE, service: 'shop', operation: 'GET /checkout', groupKey: 'http payments.example.com' });
    expect(finding.evidence).toMatchObject({
      dependency: 'http payments.example.com',
      calls: 100,
      failures: 10,
      errorRatio: 0.1,
      timeouts: 0,
      throttled: 0,
      otherFailures: 10,
      meanFailedMs: 30,
      remedy: 'circuit_breaker',
      remedyHint: REMEDY_HINTS.circuit_breaker,
    });
    // The five most recent failed traces, newest first.
    expect(finding.evidence.exampleTraceIds).toEqual([1009, 1008, 1007, 1006, 1005].map(traceId));
    expect(finding.traceId).toBe(traceId(1009));
    // 10 failures × 30 ms over 100 calls.
    expect(finding.impactMs).toBe(3);
  });

  it('near miss: exactly 5 % failures is not above maxErrorRatio; 49 calls are fewer than minCalls', () => {
    const atRatio = new DependencyStats();
    feedCalls(atRatio, 100, 5, 0, { durationMs: 30, attributes: { 'http.response.status_code': 502 } });
    expect(atRatio.errorProneDependencies(0)).toEqual([]);
    const fewCalls = new DependencyStats();
    feedCalls(fewCalls, 49, 20, 0, { durationMs: 30, attributes: { 'http.response.status_code': 502 } });
    expect(fewCalls.errorProneDependencies(0)).toEqual([]);
    feedCalls(fewCalls, 1, 0, 0, { durationMs: 30 });
    expect(fewCalls.errorProneDependencies(0)).toHaveLength(1);
  });

  it('negative: 4xx other than 408/429 are the caller\'s errors, even with span status Error', () => {
    const stats = new DependencyStats();
    feedCalls(stats, 100, 40, 0, { durationMs: 30, attributes: { 'http.response.status_code': 404 }, statusCode: OtlpStatusCode.ERROR });
    expect(stats.errorProneDependencies(0)).toEqual([]);
  });

  it('suggests backoff for throttling (429/503)', () => {
    const stats = new DependencyStats();
    feedCalls(stats, 100, 20, 0, { durationMs: 5, attributes: { 'http.response.status_code': 429 } });
    expect(stats.errorProneDependencies(0)[0]?.evidence).toMatchObject({ throttled: 20, remedy: 'backoff' });
  });

  it('suggests a timeout review when failures last a near-constant time (a client timeout firing)', () => {
    const stats = new DependencyStats();
    feedCalls(stats, 100, 20, 0, { durationMs: 2000 });
    expect(stats.errorProneDependencies(0)[0]?.evidence).toMatchObject({ failures: 20, timeouts: 0, minFailedMs: 2000, maxFailedMs: 2000, remedy: 'timeout' });
  });

  it('keys database, RPC and HTTP dependencies, and the database failures by span status', () => {
    const stats = new DependencyStats();
    for (let i = 0; i < 60; i++) {
      stats.observe(
        trace(i, [
          { durationMs: 4, attributes: pg('SELECT 1'), statusCode: i < 6 ? OtlpStatusCode.ERROR : OtlpStatusCode.UNSET },
          { durationMs: 4, attributes: { 'rpc.system': 'grpc', 'rpc.service': 'shop.Inventory' }, statusCode: OtlpStatusCode.OK },
        ]),
        0,
      );
    }
    const findings = stats.errorProneDependencies(0);
    expect(findings.map((f) => f.groupKey)).toEqual(['db postgresql db.internal:5432']);
    expect(findings[0]?.evidence).toMatchObject({ calls: 60, failures: 6, errorRatio: 0.1 });
    expect(stats.counters().dependencyKeys).toBe(2);
  });

  it('ages failures out of the window', () => {
    const stats = new DependencyStats({ windowMs: 10 * MINUTE });
    feedCalls(stats, 100, 30, 0, { durationMs: 30, attributes: { 'http.response.status_code': 500 } });
    expect(stats.errorProneDependencies(6 * MINUTE)).toHaveLength(1);
    feedCalls(stats, 100, 0, 6 * MINUTE, { durationMs: 30 });
    expect(stats.errorProneDependencies(9 * MINUTE)[0]?.evidence).toMatchObject({ calls: 200, failures: 30 });
    expect(stats.errorProneDependencies(10 * MINUTE)).toEqual([]);
  });

  it('caps dependency keys with an overflow count', () => {
    const stats = new DependencyStats({ maxKeys: 2, minCalls: 1 });
    for (let i = 0; i < 5; i++) {
      stats.observe(trace(i, [{ durationMs: 5, attributes: { 'http.method': 'GET', 'http.url': `http://host${i}.example/x` }, statusCode: OtlpStatusCode.ERROR }]), 0);
    }
    expect(stats.counters()).toMatchObject({ dependencyKeys: 2, dependencyOverflowCalls: 3 });
    expect(stats.errorProneDependencies(0).map((f) => f.groupKey)).toEqual(['http host0.example', 'http host1.example']);
  });
});

describe('dependency-call', () => {
  const client = (attributes: Record<string, unknown>, statusCode: number = OtlpStatusCode.UNSET): TraceSpan =>
    span({ spanId: 'x', kind: OtlpSpanKind.CLIENT, attributes, statusCode });

  it('classifies failures by HTTP status first, then span status and gRPC codes', () => {
    expect(callFailureOf(client({ 'http.response.status_code': 504 }))).toBe(CallFailure.TIMEOUT);
    expect(callFailureOf(client({ 'http.status_code': '503' }))).toBe(CallFailure.THROTTLED);
    expect(callFailureOf(client({ 'http.response.status_code': 500 }))).toBe(CallFailure.OTHER);
    expect(callFailureOf(client({ 'http.response.status_code': 200 }, OtlpStatusCode.ERROR))).toBe(CallFailure.NONE);
    expect(callFailureOf(client({}, OtlpStatusCode.ERROR))).toBe(CallFailure.OTHER);
    expect(callFailureOf(client({ 'error.type': 'ETIMEDOUT' }, OtlpStatusCode.ERROR))).toBe(CallFailure.TIMEOUT);
    expect(callFailureOf(client({ 'rpc.grpc.status_code': 4 }, OtlpStatusCode.ERROR))).toBe(CallFailure.TIMEOUT);
    expect(callFailureOf(client({ 'rpc.grpc.status_code': 14 }, OtlpStatusCode.ERROR))).toBe(CallFailure.THROTTLED);
    expect(callFailureOf(client({ 'rpc.grpc.status_code': 14 }))).toBe(CallFailure.NONE);
  });

  it('keys dependencies and ignores non-client spans', () => {
    expect(dependencyKeyOf(client({ 'db.system': 'mysql', 'net.peer.name': 'db', 'net.peer.port': 3306 }))).toBe('db mysql db:3306');
    expect(dependencyKeyOf(client({ 'db.system': 'redis' }))).toBe('db redis');
    expect(dependencyKeyOf(client({ 'rpc.service': 'a.B' }))).toBe('rpc a.B');
    expect(dependencyKeyOf(client({ 'http.request.method': 'GET', 'server.address': 'api.example', 'server.port': 8080 }))).toBe('http api.example:8080');
    expect(dependencyKeyOf(client({ 'messaging.system': 'kafka' }))).toBeUndefined();
    expect(dependencyKeyOf(span({ spanId: 'y', kind: OtlpSpanKind.SERVER, attributes: { 'db.system': 'redis' } }))).toBeUndefined();
  });

  it('remedyFor picks backoff, then timeout, then circuit breaker', () => {
    expect(remedyFor(10, 0, 5, 1, 50)).toBe('backoff');
    expect(remedyFor(10, 5, 0, 1, 50)).toBe('timeout');
    expect(remedyFor(10, 0, 0, 1000, 1050)).toBe('timeout');
    expect(remedyFor(10, 0, 0, 50, 52)).toBe('circuit_breaker'); // constant but too fast to be a timeout
    expect(remedyFor(10, 0, 0, 100, 900)).toBe('circuit_breaker');
  });
});

describe('resolveDependencyStatsOptions', () => {
  it('fills defaults and rejects values out of range', () => {
    expect(resolveDependencyStatsOptions()).toMatchObject({ windowMs: 900_000, maxKeys: 1000, slowStatementP95Ms: 100, minSamples: 20, maxErrorRatio: 0.05, minCalls: 50 });
    expect(() => resolveDependencyStatsOptions({ maxKeys: 0 })).toThrow(/maxKeys/);
    expect(() => resolveDependencyStatsOptions({ maxErrorRatio: 1 })).toThrow(/maxErrorRatio/);
    expect(() => resolveDependencyStatsOptions({ windowMs: 1.5 })).toThrow(/windowMs/);
  });
});
