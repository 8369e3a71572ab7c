import { describe, expect, it } from 'vitest';
import { loadTraceFixture } from '../helpers/trace-fixtures';
import { N_PLUS_ONE_DB, NPlusOneAnalyzer } from '../../src/recommend/n-plus-one-analyzer';
import {
  DEFAULT_SEQUENTIAL_CALLS_OPTIONS,
  SEQUENTIAL_CALLS_TYPE,
  callTargetOf,
  findSequentialCalls,
  resolveSequentialCallsOptions,
} from '../../src/recommend/sequential-calls-analyzer';
import type { SequentialCallsOptions } from '../../src/recommend/sequential-calls-analyzer';
import type { TraceFinding, TraceSpan } from '../../src/recommend/trace-span';
import { TraceTree } from '../../src/recommend/trace-tree';

const loadTrace = loadTraceFixture;

function analyze(name: string, options: SequentialCallsOptions = {}): TraceFinding[] {
  return findSequentialCalls(new TraceTree(loadTrace(name)), resolveSequentialCallsOptions(options));
}

describe('findSequentialCalls', () => {
  it('reports three different back-to-back calls with their saving and evidence', () => {
    const findings = analyze('sequential-positive.json');
    expect(findings).toHaveLength(1);
    const finding = findings[0]!;
    const targets = [
      'postgresql SELECT * FROM users WHERE id = ?',
      'postgresql SELECT * FROM carts WHERE user_id = ?',
      'GET payments.example.com/v1/quotes/{id}',
    ];
    expect(finding).toEqual({
      type: SEQUENTIAL_CALLS_TYPE,
      service: 'shop',
      operation: 'GET /checkout',
      groupKey: targets.join('\n'),
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      impactMs: 80,
      evidence: {
        calls: 3,
        distinctTargets: 3,
        savingMs: 80,
        totalMs: 130,
        longestMs: 50,
        targets,
        parentSpanId: 'a000000000000002',
        parentSpanName: 'checkout handler',
        exampleSpanIds: ['b000000000000001', 'b000000000000002', 'b000000000000003'],
      },
    });
    expect(JSON.parse(JSON.stringify(finding.evidence))).toEqual(finding.evidence);
  });

  it('gives the same groupKey for the same code path in another trace with other literals', () => {
    const spans = loadTrace('sequential-positive.json').map((s) =>
      s.attributes['db.query.text'] === 'SELECT * FROM users WHERE id = 42' ? { ...s, attributes: { ...s.attributes, 'db.query.text': 'SELECT * FROM users WHERE id = 7' } } : s,
    );
    expect(findSequentialCalls(new TraceTree(spans))[0]?.groupKey).toBe(analyze('sequential-positive.json')[0]?.groupKey);
  });

  it('near miss: a 40 ms saving stays below the 50 ms default, and is found at 40 ms', () => {
    expect(analyze('sequential-near-miss-saving.json')).toEqual([]);
    const found = analyze('sequential-near-miss-saving.json', { minSavingMs: 40 });
    expect(found.map((f) => [f.impactMs, f.evidence.calls, f.operation])).toEqual([[40, 3, 'GET /profile']]);
  });

  it('near miss: two calls are not enough by default, and are found with minCalls 2', () => {
    expect(analyze('sequential-near-miss-two-calls.json')).toEqual([]);
    const found = analyze('sequential-near-miss-two-calls.json', { minCalls: 2 });
    expect(found.map((f) => [f.impactMs, f.groupKey])).toEqual([[60, 'postgresql SELECT * FROM banners\nGET recommendations:8080/users/{id}/picks']]);
  });

  it('negative: calls that already overlap are concurrent', () => {
    expect(analyze('sequential-overlapping.json')).toEqual([]);
    expect(analyze('sequential-overlapping.json', { minCalls: 2, minSavingMs: 0 })).toEqual([]);
  });

  it('negative: repeats of one normalised statement are N+1, not sequential calls', () => {
    expect(analyze('sequential-identical.json', { minSavingMs: 0 })).toEqual([]);
  });

  it('negative: large gaps between calls suggest dependent calls; a larger maxGapMs accepts them', () => {
    expect(analyze('sequential-large-gaps.json')).toEqual([]);
    expect(analyze('sequential-large-gaps.json', { maxGapMs: 20 }).map((f) => f.impactMs)).toEqual([80]);
  });

  it('does not double-report an N+1: six identical calls then one other collapse to two calls', () => {
    const spans = loadTrace('sequential-n-plus-one-then-other.json');
    // The loop is the N+1 analyzer's finding…
    expect(new NPlusOneAnalyzer().analyze(new TraceTree(spans)).map((f) => [f.type, f.evidence['count']])).toEqual([[N_PLUS_ONE_DB, 6]]);
    // …and not a sequential one, whatever the saving threshold: 2 collapsed calls < minCalls 3.
    expect(analyze('sequential-n-plus-one-then-other.json', { minSavingMs: 0 })).toEqual([]);
    // With minCalls 2 the loop counts as one call of 90 ms next to one of 40 ms: saving 40, not 90.
    expect(analyze('sequential-n-plus-one-then-other.json', { minCalls: 2, minSavingMs: 0 }).map((f) => [f.evidence['calls'], f.impactMs])).toEqual([[2, 40]]);
  });

  it('treats an N+1 among different calls as one call: saving = sum − the loop’s summed time', () => {
    const findings = analyze('sequential-n-plus-one-among-others.json');
    expect(findings).toHaveLength(1);
    const finding = findings[0]!;
    const targets = [
      'postgresql SELECT * FROM order_items WHERE order_id = ?',
      'postgresql SELECT * FROM customers WHERE id = ?',
      'GET shipping.example.com/v1/quotes/{id}',
    ];
    expect(finding.groupKey).toBe(targets.join('\n'));
    expect(finding.operation).toBe('GET /orders');
    // Collapsed: loop 6 × 15 = 90 ms, 40 ms, 30 ms; saving 160 − 90 = 70 (not 160 − 40 = 120).
    expect(finding.impactMs).toBeCloseTo(70, 9);
    expect(finding.evidence).toMatchObject({ calls: 3, distinctTargets: 3, targets, parentSpanId: 'a000000000000002' });
    expect(finding.evidence['totalMs']).toBeCloseTo(160, 9);
    expect(finding.evidence['longestMs']).toBeCloseTo(90, 9);
    // Every span id of the collapsed calls stays in the examples, in order.
    expect(finding.evidence['exampleSpanIds']).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((i) => `b00000000000000${i}`));
    // A saving of 70 ms is a near miss at 71 ms.
    expect(analyze('sequential-n-plus-one-among-others.json', { minSavingMs: 71 })).toEqual([]);
  });

  it('collapses only consecutive repeats: A, B, A stays three calls', () => {
    const spans = loadTrace('sequential-positive.json');
    // Make the third call (HTTP) another execution of the first statement.
    const first = spans.find((s) => s.spanId === 'b000000000000001')!;
    const changed = spans
      .filter((s) => s.parentSpanId !== 'b000000000000003')
      .map((s) => (s.spanId === 'b000000000000003' ? { ...s, name: first.name, attributes: { 'db.system.name': 'postgresql', 'db.query.text': 'SELECT * FROM users WHERE id = 43' } } : s));
    const findings = findSequentialCalls(new TraceTree(changed));
    expect(findings.map((f) => [f.evidence['calls'], f.evidence['distinctTargets'], f.impactMs])).toEqual([[3, 2, 80]]);
  });

  it('an overlap beyond the tolerance splits the run', () => {
    // The third call of the positive fixture starts 0.5 ms before the second ends.
    expect(analyze('sequential-positive.json', { overlapToleranceMs: 0.4 })).toEqual([]);
  });

  it('a non-call sibling between calls ends the run', () => {
    const spans = loadTrace('sequential-near-miss-two-calls.json');
    const between: TraceSpan = { ...spans[1]!, spanId: 'ffff000000000001', name: 'compute', kind: 1, startTimeMs: 61, endTimeMs: 61.5, attributes: {} };
    expect(findSequentialCalls(new TraceTree([...spans, between]), resolveSequentialCallsOptions({ minCalls: 2 }))).toEqual([]);
  });
});

describe('callTargetOf', () => {
  const client = (attributes: Record<string, unknown>, kind = 3): TraceSpan => ({
    traceId: 't', spanId: 's', parentSpanId: 'p', service: 'x', name: 'op', kind, startTimeMs: 0, endTimeMs: 1, statusCode: 0, attributes,
  });

  it('names DB, HTTP calls and nothing else', () => {
    expect(callTargetOf(client({ 'db.system': 'mysql', 'db.statement': "SELECT 'it\\'s' FROM t" }))).toBe('mysql SELECT ? FROM t');
    expect(callTargetOf(client({ 'db.system.name': 'redis' }))).toBe('redis op');
    expect(callTargetOf(client({ 'http.method': 'get' }))).toBe('GET op');
    expect(callTargetOf(client({ 'http.request.method': 'POST', 'server.address': 'api', 'url.template': '/a/{b}' }))).toBe('POST api/a/{b}');
    expect(callTargetOf(client({ 'messaging.system': 'kafka' }))).toBeUndefined();
    expect(callTargetOf(client({ 'db.system': 'postgresql' }, 1))).toBeUndefined();
  });
});

describe('resolveSequentialCallsOptions', () => {
  it('fills the defaults', () => {
    expect(resolveSequentialCallsOptions()).toEqual(DEFAULT_SEQUENTIAL_CALLS_OPTIONS);
    expect(DEFAULT_SEQUENTIAL_CALLS_OPTIONS).toEqual({ minCalls: 3, minSavingMs: 50, maxGapMs: 5, overlapToleranceMs: 1 });
    expect(resolveSequentialCallsOptions({ maxGapMs: 0 }).maxGapMs).toBe(0);
  });

  it.each<[SequentialCallsOptions, RegExp]>([
    [{ minCalls: 1 }, /minCalls/],
    [{ minCalls: 2.5 }, /minCalls/],
    [{ minSavingMs: -1 }, /minSavingMs/],
    [{ maxGapMs: Number.NaN }, /maxGapMs/],
    [{ overlapToleranceMs: Number.POSITIVE_INFINITY }, /overlapToleranceMs/],
  ])('rejects %o', (options, message) => {
    expect(() => resolveSequentialCallsOptions(options)).toThrow(RangeError);
    expect(() => resolveSequentialCallsOptions(options)).toThrow(message);
  });
});
