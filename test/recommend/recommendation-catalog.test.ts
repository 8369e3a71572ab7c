import { describe, expect, it } from 'vitest';
import { DOMINANT_DEPENDENCY_TYPE } from '../../src/recommend/dominant-dependency';
import { ERROR_PRONE_DEPENDENCY_TYPE, SLOW_DB_STATEMENT_TYPE } from '../../src/recommend/dependency-stats';
import { N_PLUS_ONE_DB, N_PLUS_ONE_HTTP } from '../../src/recommend/n-plus-one-analyzer';
import { RECOMMENDATION_TYPES, effortWeight, recommendationKindOf } from '../../src/recommend/recommendation-catalog';
import { EVENT_LOOP_BLOCKING, GC_PRESSURE, MEMORY_LEAK_SUSPECTED } from '../../src/recommend/runtime-signals';
import { SEQUENTIAL_CALLS_TYPE } from '../../src/recommend/sequential-calls-analyzer';

describe('recommendation catalog', () => {
  it('lists the contract type ids once each, in the docs order', () => {
    expect(RECOMMENDATION_TYPES).toEqual([
      'n_plus_one_db',
      'n_plus_one_http',
      'sequential_calls',
      'slow_db_statement',
      'dominant_dependency',
      'error_prone_dependency',
      'event_loop_blocking',
      'gc_pressure',
      'memory_leak_suspected',
    ]);
  });

  it('has an entry for every type an analyzer emits', () => {
    const emitted = [
      N_PLUS_ONE_DB,
      N_PLUS_ONE_HTTP,
      SEQUENTIAL_CALLS_TYPE,
      SLOW_DB_STATEMENT_TYPE,
      DOMINANT_DEPENDENCY_TYPE,
      ERROR_PRONE_DEPENDENCY_TYPE,
      EVENT_LOOP_BLOCKING,
      GC_PRESSURE,
      MEMORY_LEAK_SUSPECTED,
    ];
    expect([...emitted].sort()).toEqual([...RECOMMENDATION_TYPES].sort());
    for (const type of emitted) expect(recommendationKindOf(type).type).toBe(type);
  });

  it('gives every entry an effort, a risk and a non-empty advice', () => {
    for (const type of RECOMMENDATION_TYPES) {
      const kind = recommendationKindOf(type);
      expect(['low', 'medium', 'high']).toContain(kind.effort);
      expect(['low', 'medium', 'high']).toContain(kind.risk);
      expect(kind.advice.length).toBeGreaterThan(20);
    }
  });

  it('states the usual fix: batching is medium effort and low risk, concurrency low effort and medium risk', () => {
    expect(recommendationKindOf('n_plus_one_db')).toMatchObject({ effort: 'medium', risk: 'low' });
    expect(recommendationKindOf('sequential_calls')).toMatchObject({ effort: 'low', risk: 'medium' });
    expect(recommendationKindOf('event_loop_blocking')).toMatchObject({ effort: 'high' });
  });

  it('throws for an unknown type id, naming it', () => {
    expect(() => recommendationKindOf('n_plus_two')).toThrow(/unknown recommendation type "n_plus_two"/);
  });

  it('weighs effort 1, 2, 3', () => {
    expect([effortWeight('low'), effortWeight('medium'), effortWeight('high')]).toEqual([1, 2, 3]);
  });
});

describe('titles', () => {
  const title = (type: string, operation: string, evidence: Record<string, string | number | readonly string[]>): string =>
    recommendationKindOf(type).title(operation, evidence);

  it('n_plus_one_db names the operation, the count and the statement', () => {
    expect(title('n_plus_one_db', 'GET /orders', { count: 6, statement: 'SELECT * FROM items WHERE id = ?' })).toBe(
      'N+1 queries in GET /orders: 6 × SELECT * FROM items WHERE id = ?',
    );
  });

  it('clips long statements to 80 characters with an ellipsis', () => {
    const statement = `SELECT ${'a, '.repeat(60)}b FROM t`;
    const text = title('n_plus_one_db', 'GET /x', { count: 7, statement });
    const clipped = text.slice('N+1 queries in GET /x: 7 × '.length);
    expect(clipped).toHaveLength(80);
    expect(clipped.endsWith('…')).toBe(true);
    expect(statement.startsWith(clipped.slice(0, 79))).toBe(true);
    // Exactly 80 is kept whole.
    const eighty = 'x'.repeat(80);
    expect(title('n_plus_one_db', '', { count: 6, statement: eighty })).toBe(`N+1 queries: 6 × ${eighty}`);
  });

  it('n_plus_one_http names the target; a missing count shows ?', () => {
    expect(title('n_plus_one_http', 'orders process', { target: 'GET inventory:8080 /items/{id}' })).toBe(
      'N+1 HTTP calls in orders process: ? × GET inventory:8080 /items/{id}',
    );
  });

  it('sequential_calls rounds the saving', () => {
    expect(title('sequential_calls', 'GET /home', { calls: 3, savingMs: 61.6 })).toBe('3 independent calls run one after another in GET /home (62 ms to save)');
    expect(title('sequential_calls', 'GET /home', { calls: 3 })).toBe('3 independent calls run one after another in GET /home (? ms to save)');
  });

  it('slow_db_statement states the p95', () => {
    expect(title('slow_db_statement', 'GET /x', { p95Ms: 240.4, statement: 'SELECT 1' })).toBe('Slow statement (p95 240 ms): SELECT 1');
  });

  it('dominant_dependency speaks of own code for the self key', () => {
    expect(title('dominant_dependency', 'GET /report', { kind: 'self', share: 0.95 })).toBe("GET /report's own code takes 95 % of its latency");
    expect(title('dominant_dependency', 'GET /orders', { kind: 'db', dependency: 'db postgresql db.internal:5432', share: 0.9 })).toBe(
      "db postgresql db.internal:5432 takes 90 % of GET /orders's latency",
    );
  });

  it('error_prone_dependency states the error ratio', () => {
    expect(title('error_prone_dependency', 'GET /x', { dependency: 'http payments:443', errorRatio: 0.125 })).toBe('http payments:443 fails 13 % of calls');
  });

  it('runtime titles', () => {
    expect(title('event_loop_blocking', '', { medianP99DelayMs: 312.7 })).toBe('Event loop blocked: p99 delay 313 ms');
    expect(title('gc_pressure', '', { gcTimeShare: 0.2 })).toBe('Garbage collection takes 20 % of wall time');
    expect(title('memory_leak_suspected', '', { slopeBytesPerHour: 50 * 1_048_576 })).toBe('Heap grows 50.0 MiB/h after GC');
  });
});
