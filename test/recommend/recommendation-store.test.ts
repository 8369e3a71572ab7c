import { describe, expect, it } from 'vitest';
import type { HotFunction } from '../../src/recommend/recommendation';
import { recommendationKindOf } from '../../src/recommend/recommendation-catalog';
import { recommendationId } from '../../src/recommend/recommendation-id';
import {
  DEFAULT_RECOMMENDATION_STORE_OPTIONS,
  RecommendationStore,
  resolveRecommendationStoreOptions,
} from '../../src/recommend/recommendation-store';
import type { RecommendationCandidate, RecommendationStoreOptions } from '../../src/recommend/recommendation-store';

const T0 = 1_700_000_000_000;
const RESOLVE = 60_000;
const RETAIN = 600_000;
const ITEMS = 'SELECT * FROM order_items WHERE order_id = ?';

function candidate(over: Partial<RecommendationCandidate> = {}): RecommendationCandidate {
  return {
    type: 'n_plus_one_db',
    service: 'shop',
    operation: 'GET /orders',
    groupKey: ITEMS,
    evidence: { count: 6, statement: ITEMS },
    exampleTraceIds: ['4bf92f3577b34da6a3ce929d0e0e4736'],
    impact: { perRequestMs: 50, latencyShare: 0.3, affectedShare: 0.6 },
    savedMsPerSecond: 12,
    lastSeenMs: T0,
    occurrences: 3,
    ...over,
  };
}

const idOf = (c: RecommendationCandidate): string => recommendationId(c.type, c.service, c.operation, c.groupKey);

function store(over: RecommendationStoreOptions = {}): RecommendationStore {
  return new RecommendationStore({ resolveAfterMs: RESOLVE, retainResolvedMs: RETAIN, ...over });
}

describe('resolveRecommendationStoreOptions', () => {
  it('fills in the defaults', () => {
    expect(resolveRecommendationStoreOptions()).toEqual({ resolveAfterMs: 900_000, retainResolvedMs: 86_400_000, maxRecommendations: 500 });
    expect(DEFAULT_RECOMMENDATION_STORE_OPTIONS.maxRecommendations).toBe(500);
    expect(new RecommendationStore({ maxRecommendations: 3 }).options).toEqual({ resolveAfterMs: 900_000, retainResolvedMs: 86_400_000, maxRecommendations: 3 });
  });

  it.each([
    [{ resolveAfterMs: 0 }, /resolveAfterMs must be a positive integer, got 0/],
    [{ retainResolvedMs: 1.5 }, /retainResolvedMs/],
    [{ maxRecommendations: -1 }, /maxRecommendations/],
    [{ maxRecommendations: Number.NaN }, /maxRecommendations/],
  ] as const)('refuses %o', (options, message) => {
    expect(() => resolveRecommendationStoreOptions(options)).toThrow(message);
  });
});

describe('RecommendationStore lifecycle', () => {
  it('opens a recommendation on the first candidate, built from the catalog', () => {
    const s = store();
    const c = candidate();
    const changes = s.update([c], T0 + 1000);
    expect(changes).toHaveLength(1);
    expect(changes[0]!.kind).toBe('opened');
    const r = changes[0]!.recommendation;
    const kind = recommendationKindOf('n_plus_one_db');
    expect(r).toEqual({
      id: idOf(c),
      type: 'n_plus_one_db',
      title: kind.title('GET /orders', c.evidence),
      advice: kind.advice,
      service: 'shop',
      operation: 'GET /orders',
      severity: 'medium',
      evidence: c.evidence,
      exampleTraceIds: c.exampleTraceIds,
      impact: c.impact,
      effort: 'medium',
      risk: 'low',
      priority: 6, // 12 ms/s over the effort weight 2
      occurrences: 3,
      firstSeenMs: T0,
      lastSeenMs: T0,
      status: 'open',
    });
    expect(s.get(r.id)).toEqual(r);
    expect(s.size).toBe(1);
  });

  it('rounds the priority to three decimals', () => {
    const s = store();
    s.update([candidate({ savedMsPerSecond: 1 / 3 })], T0);
    expect(s.list()[0]!.priority).toBe(0.167);
  });

  it('adds up occurrences and keeps the first-seen time, without a change event', () => {
    const s = store();
    s.update([candidate({ occurrences: 3 })], T0);
    const changes = s.update([candidate({ occurrences: 2, lastSeenMs: T0 + 5000 })], T0 + 6000);
    expect(changes).toEqual([]);
    const r = s.list()[0]!;
    expect(r.occurrences).toBe(5);
    expect(r.firstSeenMs).toBe(T0);
    expect(r.lastSeenMs).toBe(T0 + 5000);
  });

  it('never moves lastSeen back when a candidate carries older evidence', () => {
    const s = store();
    s.update([candidate({ lastSeenMs: T0 + 10_000 })], T0 + 10_000);
    s.update([candidate({ lastSeenMs: T0 })], T0 + 11_000);
    expect(s.list()[0]!.lastSeenMs).toBe(T0 + 10_000);
  });

  it('does not open a recommendation whose evidence is already older than the resolve delay', () => {
    const s = store();
    expect(s.update([candidate({ lastSeenMs: T0 })], T0 + RESOLVE)).toEqual([]);
    expect(s.size).toBe(0);
  });

  it('resolves once the evidence has been gone for resolveAfterMs', () => {
    const s = store();
    const c = candidate();
    s.update([c], T0);
    expect(s.update([], T0 + RESOLVE - 1)).toEqual([]);
    expect(s.get(idOf(c))!.status).toBe('open');
    const changes = s.update([], T0 + RESOLVE);
    expect(changes.map((x) => x.kind)).toEqual(['resolved']);
    expect(changes[0]!.recommendation).toMatchObject({ id: idOf(c), status: 'resolved', resolvedAtMs: T0 + RESOLVE });
    expect(s.get(idOf(c))).toMatchObject({ status: 'resolved', resolvedAtMs: T0 + RESOLVE });
    // Resolving happens once.
    expect(s.update([], T0 + RESOLVE + 1)).toEqual([]);
  });

  it('a candidate repeating old evidence keeps it open only until the resolve delay', () => {
    const s = store();
    s.update([candidate({ lastSeenMs: T0 })], T0);
    expect(s.update([candidate({ lastSeenMs: T0, occurrences: 1 })], T0 + RESOLVE).map((x) => x.kind)).toEqual(['resolved']);
  });

  it('is not reopened while resolved unless newer evidence arrives, and keeps its history', () => {
    const s = store();
    const c = candidate({ occurrences: 3 });
    s.update([c], T0);
    s.update([], T0 + RESOLVE);
    const resolved = s.get(idOf(c))!;
    // The window still holds the old evidence: same lastSeen, nothing changes.
    expect(s.update([candidate({ lastSeenMs: T0, occurrences: 1 })], T0 + RESOLVE + 1000)).toEqual([]);
    expect(s.get(idOf(c))).toEqual(resolved);
  });

  it('reopens under the same id on newer evidence, without resolvedAtMs, counting occurrences on', () => {
    const s = store();
    const c = candidate({ occurrences: 3 });
    s.update([c], T0);
    s.update([], T0 + RESOLVE);
    const later = T0 + RESOLVE + 5000;
    const changes = s.update([candidate({ lastSeenMs: later, occurrences: 2 })], later);
    expect(changes.map((x) => x.kind)).toEqual(['reopened']);
    const r = changes[0]!.recommendation;
    expect(r.id).toBe(idOf(c));
    expect(r.status).toBe('open');
    expect(r.resolvedAtMs).toBeUndefined();
    expect('resolvedAtMs' in r).toBe(false);
    expect(r.occurrences).toBe(5);
    expect(r.firstSeenMs).toBe(T0);
    expect(r.lastSeenMs).toBe(later);
    expect(s.size).toBe(1);
  });

  it('evidence exactly at the resolution time does not reopen (strictly newer only)', () => {
    const s = store();
    s.update([candidate()], T0);
    s.update([], T0 + RESOLVE);
    expect(s.update([candidate({ lastSeenMs: T0 + RESOLVE })], T0 + RESOLVE + 1)).toEqual([]);
    expect(s.update([candidate({ lastSeenMs: T0 + RESOLVE + 1 })], T0 + RESOLVE + 2).map((x) => x.kind)).toEqual(['reopened']);
  });

  it('forgets a resolved recommendation retainResolvedMs after it resolved', () => {
    const s = store();
    const c = candidate();
    s.update([c], T0);
    s.update([], T0 + RESOLVE);
    s.update([], T0 + RESOLVE + RETAIN - 1);
    expect(s.get(idOf(c))).toBeDefined();
    expect(s.update([], T0 + RESOLVE + RETAIN)).toEqual([]);
    expect(s.get(idOf(c))).toBeUndefined();
    expect(s.size).toBe(0);
    // Seen again after being forgotten: a new opening, occurrences from scratch.
    const again = T0 + RESOLVE + RETAIN + 10;
    const changes = s.update([candidate({ lastSeenMs: again, occurrences: 1 })], again);
    expect(changes.map((x) => x.kind)).toEqual(['opened']);
    expect(changes[0]!.recommendation).toMatchObject({ id: idOf(c), occurrences: 1, firstSeenMs: again });
  });

  it('resolves superseded ids at once, even with fresh evidence', () => {
    const s = store();
    const dominant = candidate({ type: 'dominant_dependency', groupKey: 'db postgresql db:5432', evidence: { kind: 'db', dependency: 'db postgresql db:5432', share: 0.8 } });
    const nPlusOne = candidate();
    s.update([dominant, nPlusOne], T0);
    const changes = s.update([candidate({ lastSeenMs: T0 + 1000 })], T0 + 1000, new Set([idOf(dominant)]));
    expect(changes.map((x) => [x.kind, x.recommendation.type])).toEqual([['resolved', 'dominant_dependency']]);
    expect(s.get(idOf(dominant))).toMatchObject({ status: 'resolved', resolvedAtMs: T0 + 1000 });
    expect(s.get(idOf(nPlusOne))!.status).toBe('open');
    // Superseding an id that is not open does nothing.
    expect(s.update([], T0 + 2000, new Set([idOf(dominant), 'ffffffffffffffff']))).toEqual([]);
  });

  it('escalates on a severity increase above the highest reached while open only', () => {
    const s = store();
    const at = (t: number, latencyShare: number): RecommendationCandidate =>
      candidate({ lastSeenMs: T0 + t, occurrences: 1, impact: { perRequestMs: 50, latencyShare, affectedShare: 1 } });
    expect(s.update([at(0, 0.1)], T0).map((x) => x.kind)).toEqual(['opened']);
    expect(s.list()[0]!.severity).toBe('low');
    expect(s.update([at(1, 0.15)], T0 + 1)).toEqual([]); // still low
    const up = s.update([at(2, 0.3)], T0 + 2);
    expect(up.map((x) => [x.kind, x.recommendation.severity])).toEqual([['escalated', 'medium']]);
    expect(s.update([at(3, 0.6)], T0 + 3).map((x) => [x.kind, x.recommendation.severity])).toEqual([['escalated', 'high']]);
    expect(s.update([at(4, 0.6)], T0 + 4)).toEqual([]); // same severity
    expect(s.update([at(5, 0.1)], T0 + 5)).toEqual([]); // lower: no event
    expect(s.list()[0]!.severity).toBe('low');
    // Back to high, which it had reached already: no new event for a figure hovering around a threshold.
    expect(s.update([at(6, 1)], T0 + 6)).toEqual([]);
    expect(s.list()[0]!.severity).toBe('high');
    // An SLO share of 1 or more is critical.
    const critical = candidate({ lastSeenMs: T0 + 7, occurrences: 1, impact: { perRequestMs: 50, latencyShare: 0.6, affectedShare: 1, errorBudgetShare: 2, slo: 'latency' } });
    expect(s.update([critical], T0 + 7).map((x) => [x.kind, x.recommendation.severity])).toEqual([['escalated', 'critical']]);
  });

  it('reports changes in a stable order: candidates first, then resolutions in insertion order', () => {
    const s = store();
    const a = candidate({ operation: 'GET /a' });
    const b = candidate({ operation: 'GET /b' });
    const c = candidate({ operation: 'GET /c' });
    s.update([a, b], T0);
    const changes = s.update([candidate({ operation: 'GET /c', lastSeenMs: T0 + RESOLVE })], T0 + RESOLVE);
    expect(changes.map((x) => [x.kind, x.recommendation.operation])).toEqual([
      ['opened', 'GET /c'],
      ['resolved', 'GET /a'],
      ['resolved', 'GET /b'],
    ]);
    expect(s.get(idOf(c))!.status).toBe('open');
  });
});

describe('RecommendationStore bounds', () => {
  it('counts and drops a new recommendation when full of open ones', () => {
    const s = store({ maxRecommendations: 2 });
    s.update([candidate({ operation: 'GET /a' }), candidate({ operation: 'GET /b' })], T0);
    const changes = s.update([candidate({ operation: 'GET /c' })], T0 + 1);
    expect(changes).toEqual([]);
    expect(s.size).toBe(2);
    expect(s.dropped).toBe(1);
    expect(s.list().map((r) => r.operation).sort()).toEqual(['GET /a', 'GET /b']);
    // An existing one still updates when full.
    s.update([candidate({ operation: 'GET /a', occurrences: 1, lastSeenMs: T0 + 2 })], T0 + 2);
    expect(s.list({ service: 'shop' }).find((r) => r.operation === 'GET /a')!.occurrences).toBe(4);
    expect(s.dropped).toBe(1);
  });

  it('evicts the resolved recommendation that resolved first to make room', () => {
    const s = store({ maxRecommendations: 3 });
    const a = candidate({ operation: 'GET /a', lastSeenMs: T0 });
    const b = candidate({ operation: 'GET /b', lastSeenMs: T0 + 10_000 });
    const c = candidate({ operation: 'GET /c', lastSeenMs: T0 + 20_000 });
    s.update([a], T0);
    s.update([b], T0 + 10_000);
    s.update([c], T0 + 20_000);
    s.update([], T0 + RESOLVE); // a resolves
    s.update([], T0 + 10_000 + RESOLVE); // b resolves
    expect(s.list({ status: 'resolved' }).map((r) => r.operation).sort()).toEqual(['GET /a', 'GET /b']);
    const now = T0 + 10_000 + RESOLVE + 1;
    const changes = s.update([candidate({ operation: 'GET /d', lastSeenMs: now })], now);
    expect(changes.map((x) => [x.kind, x.recommendation.operation])).toEqual([['opened', 'GET /d']]);
    expect(s.size).toBe(3);
    expect(s.get(idOf(a))).toBeUndefined();
    expect(s.get(idOf(b))).toBeDefined();
    expect(s.dropped).toBe(0);
  });

  it('a stale new candidate neither takes a slot nor evicts a resolved one', () => {
    const s = store({ maxRecommendations: 1 });
    const a = candidate({ operation: 'GET /a' });
    s.update([a], T0);
    s.update([], T0 + RESOLVE);
    const now = T0 + 3 * RESOLVE;
    expect(s.update([candidate({ operation: 'GET /b', lastSeenMs: T0 })], now)).toEqual([]);
    expect(s.get(idOf(a))).toBeDefined();
    expect(s.dropped).toBe(0);
  });
});

describe('RecommendationStore.list', () => {
  function populated(): RecommendationStore {
    const s = store();
    // A resolved one (it resolves at T0) with the highest priority of all.
    s.update([candidate({ operation: 'GET /old', savedMsPerSecond: 1e6, lastSeenMs: T0 - RESOLVE })], T0 - RESOLVE);
    s.update(
      [
        candidate({ operation: 'GET /a', savedMsPerSecond: 10 }),
        candidate({ operation: 'GET /b', savedMsPerSecond: 40 }),
        candidate({ service: 'billing', operation: 'POST /pay', savedMsPerSecond: 40 }),
        candidate({ type: 'gc_pressure', operation: '', groupKey: '', evidence: { gcTimeShare: 0.2 }, savedMsPerSecond: 1000 }),
      ],
      T0,
    );
    return s;
  }

  it('lists open first, then priority (highest first), then id', () => {
    const list = populated().list();
    expect(list.map((r) => r.status)).toEqual(['open', 'open', 'open', 'open', 'resolved']);
    expect(list[0]!.type).toBe('gc_pressure'); // 1000 / 2
    expect(list[list.length - 1]!.operation).toBe('GET /old');
    const tied = list.filter((r) => r.priority === 20);
    expect(tied).toHaveLength(2);
    expect(tied[0]!.id < tied[1]!.id).toBe(true);
    expect(list[1]!.priority).toBe(20);
    expect(list[2]!.priority).toBe(20);
    expect(list[3]!.operation).toBe('GET /a');
  });

  it('filters by service, type and status', () => {
    const s = populated();
    expect(s.list({ service: 'billing' }).map((r) => r.operation)).toEqual(['POST /pay']);
    expect(s.list({ type: 'gc_pressure' })).toHaveLength(1);
    expect(s.list({ status: 'resolved' }).map((r) => r.operation)).toEqual(['GET /old']);
    expect(s.list({ service: 'shop', type: 'n_plus_one_db', status: 'open' }).map((r) => r.operation)).toEqual(['GET /b', 'GET /a']);
    expect(s.list({ service: 'nobody' })).toEqual([]);
  });

  it('returns a new array each time', () => {
    const s = populated();
    const first = s.list();
    first.pop();
    expect(s.list()).toHaveLength(5);
  });
});

describe('RecommendationStore.attachProfile', () => {
  const functions: HotFunction[] = [
    { function: 'renderPdf', file: '/app/report.js', line: 42, selfShare: 0.61, selfMs: 610 },
    { function: 'JSON.stringify', file: '', line: 0, selfShare: 0.2, selfMs: 200 },
  ];
  const blocked = (service: string, t = T0): RecommendationCandidate =>
    candidate({ type: 'event_loop_blocking', service, operation: '', groupKey: '', evidence: { medianP99DelayMs: 300 }, lastSeenMs: t, occurrences: 1 });

  it("adds hot functions and profile evidence only to that service's event_loop_blocking", () => {
    const s = store();
    s.update([blocked('shop'), blocked('billing'), candidate({ service: 'shop' })], T0);
    s.attachProfile('shop', functions, 'event loop p99 above 100 ms', T0 + 500);
    const shopBlocked = s.list({ service: 'shop', type: 'event_loop_blocking' })[0]!;
    expect(shopBlocked.hotFunctions).toEqual(functions);
    expect(shopBlocked.evidence).toEqual({
      medianP99DelayMs: 300,
      profileReason: 'event loop p99 above 100 ms',
      profileCapturedAtMs: T0 + 500,
      hottestFunction: 'renderPdf (/app/report.js:42)',
    });
    expect(s.list({ service: 'billing' })[0]!.hotFunctions).toBeUndefined();
    expect(s.list({ service: 'billing' })[0]!.evidence).toEqual({ medianP99DelayMs: 300 });
    const nPlusOne = s.list({ service: 'shop', type: 'n_plus_one_db' })[0]!;
    expect(nPlusOne.hotFunctions).toBeUndefined();
    expect(nPlusOne.evidence).not.toHaveProperty('profileReason');
  });

  it('also applies to one opened later, and survives later updates', () => {
    const s = store();
    s.attachProfile('shop', functions, 'sustained blocking', T0);
    s.update([blocked('shop', T0 + 1000)], T0 + 1000);
    const r = s.list({ type: 'event_loop_blocking' })[0]!;
    expect(r.hotFunctions).toEqual(functions);
    expect(r.evidence['hottestFunction']).toBe('renderPdf (/app/report.js:42)');
    s.update([blocked('shop', T0 + 2000)], T0 + 2000);
    expect(s.list({ type: 'event_loop_blocking' })[0]!.hotFunctions).toEqual(functions);
  });

  it('a newer profile replaces the older one; an empty profile names no hottest function', () => {
    const s = store();
    s.update([blocked('shop')], T0);
    s.attachProfile('shop', functions, 'first', T0);
    s.attachProfile('shop', [], 'second', T0 + 1);
    const r = s.list()[0]!;
    expect(r.hotFunctions).toEqual([]);
    expect(r.evidence['profileReason']).toBe('second');
    expect(r.evidence).not.toHaveProperty('hottestFunction');
  });

  it('keeps at most maxRecommendations profiles, dropping the oldest service', () => {
    const s = store({ maxRecommendations: 2 });
    s.attachProfile('a', functions, 'r', T0);
    s.attachProfile('b', functions, 'r', T0);
    s.attachProfile('c', functions, 'r', T0);
    s.update([blocked('a'), blocked('c')], T0 + 1);
    const byService = new Map(s.list().map((r) => [r.service, r]));
    expect(byService.get('a')!.hotFunctions).toBeUndefined();
    expect(byService.get('c')!.hotFunctions).toEqual(functions);
  });
});

describe('RecommendationStore ids of caller-independent types', () => {
  it('keeps a slow statement under one id when its busiest caller changes', () => {
    const s = store();
    const slow = (operation: string, t: number): RecommendationCandidate =>
      candidate({ type: 'slow_db_statement', operation, groupKey: 'postgresql SELECT ?', lastSeenMs: T0 + t, evidence: { statement: 'SELECT ?', p95Ms: 150 } });
    expect(s.update([slow('GET /a', 0)], T0).map((c) => c.kind)).toEqual(['opened']);
    expect(s.update([slow('GET /b', 1)], T0 + 1)).toEqual([]);
    expect(s.list().map((r) => [r.type, r.operation])).toEqual([['slow_db_statement', 'GET /b']]);
    // Per-trace types keep the operation in their id.
    s.update([candidate({ operation: 'GET /a' }), candidate({ operation: 'GET /b' })], T0 + 2);
    expect(s.list({ type: 'n_plus_one_db' })).toHaveLength(2);
  });
});
