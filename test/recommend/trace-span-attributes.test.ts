import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DependencyStats } from '../../src/recommend/dependency-stats';
import { DominantDependencyStats } from '../../src/recommend/dominant-dependency';
import { NPlusOneAnalyzer } from '../../src/recommend/n-plus-one-analyzer';
import { findSequentialCalls } from '../../src/recommend/sequential-calls-analyzer';
import { RECOMMEND_ATTRIBUTE_KEYS, pickRecommendAttributes } from '../../src/recommend/trace-span-attributes';
import type { TraceSpan } from '../../src/recommend/trace-span';
import { TraceTree } from '../../src/recommend/trace-tree';
import { loadTraceFixture } from '../helpers/trace-fixtures';

const FIXTURES = readdirSync(path.resolve(__dirname, '..', 'fixtures', 'traces')).filter((name) => name.endsWith('.json'));

/** What an instrumentation attaches besides what the analyzers read. */
const NOISE = {
  'code.function': 'handler',
  'thread.id': 7,
  'http.request.header.cookie': ['session=secret'],
  'db.operation.name': 'SELECT',
  'network.peer.address': '10.0.0.7',
  'user_agent.original': 'curl/8',
};

describe('pickRecommendAttributes', () => {
  it('keeps exactly the listed keys that the source has, values untouched', () => {
    const statement = 'SELECT * FROM t WHERE id = 1';
    const picked = pickRecommendAttributes({ ...NOISE, 'db.query.text': statement, 'server.port': 5432, 'http.route': '/orders/:id' });
    expect(picked).toEqual({ 'db.query.text': statement, 'server.port': 5432, 'http.route': '/orders/:id' });
  });

  it('returns a new object and leaves the source alone', () => {
    const source = { 'http.route': '/x', 'code.function': 'f' };
    const picked = pickRecommendAttributes(source);
    expect(picked).not.toBe(source);
    expect(source).toEqual({ 'http.route': '/x', 'code.function': 'f' });
    expect(pickRecommendAttributes({})).toEqual({});
  });

  it('lists the attributes of operation naming, DB and HTTP targets, statuses and errors, old and stable conventions', () => {
    for (const key of [
      'http.route',
      'http.request.method',
      'http.method',
      'http.response.status_code',
      'http.status_code',
      'url.full',
      'http.url',
      'server.address',
      'net.peer.name',
      'server.port',
      'net.peer.port',
      'db.system.name',
      'db.system',
      'db.query.text',
      'db.statement',
      'rpc.system',
      'rpc.service',
      'rpc.grpc.status_code',
      'error.type',
    ]) {
      expect(RECOMMEND_ATTRIBUTE_KEYS.has(key), key).toBe(true);
    }
    expect(RECOMMEND_ATTRIBUTE_KEYS.has('code.function')).toBe(false);
  });
});

describe('the analyzers see the same spans through pickRecommendAttributes', () => {
  const withNoise = (spans: readonly TraceSpan[]): TraceSpan[] => spans.map((span) => ({ ...span, attributes: { ...NOISE, ...span.attributes } }));
  const picked = (spans: readonly TraceSpan[]): TraceSpan[] => spans.map((span) => ({ ...span, attributes: pickRecommendAttributes(span.attributes) }));

  function everything(spans: readonly TraceSpan[]): unknown {
    const tree = new TraceTree(spans);
    const dependencies = new DependencyStats({ minSamples: 1, minCalls: 1, slowStatementP95Ms: 1, maxErrorRatio: 0 });
    dependencies.observe(tree, 0);
    const dominant = new DominantDependencyStats({ minTraces: 1, minShare: 0.01, minMeanLatencyMs: 0 });
    dominant.observe(tree, 0);
    return {
      operations: tree.spans.map((span) => tree.operationOf(span)),
      nPlusOne: new NPlusOneAnalyzer().analyze(tree),
      sequential: findSequentialCalls(tree),
      slow: dependencies.slowDbStatements(0),
      errors: dependencies.errorProneDependencies(0),
      dominant: dominant.findings(0),
      shares: dominant.operationShares(0),
    };
  }

  it.each(FIXTURES)('%s', (name) => {
    const spans = withNoise(loadTraceFixture(name));
    const full = everything(spans);
    expect(everything(picked(spans))).toEqual(full);
  });

  it('the fixtures do produce findings, so the comparison means something', () => {
    const found = FIXTURES.map((name) => everything(loadTraceFixture(name)) as { nPlusOne: unknown[]; sequential: unknown[]; dominant: unknown[]; slow: unknown[] });
    expect(found.some((f) => f.nPlusOne.length > 0)).toBe(true);
    expect(found.some((f) => f.sequential.length > 0)).toBe(true);
    expect(found.some((f) => f.dominant.length > 0)).toBe(true);
    expect(found.some((f) => f.slow.length > 0)).toBe(true);
  });
});
