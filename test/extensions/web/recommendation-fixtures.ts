import type { Recommendation, RecommendationFilter, RecommendationSource } from '../../../src/recommend/recommendation';

/** A complete recommendation with plausible figures; `overrides` sets what a test is about. */
export function recommendation(overrides: Partial<Recommendation> & Pick<Recommendation, 'id'>): Recommendation {
  return {
    type: 'n_plus_one_db',
    title: 'N+1 queries in GET /orders: 25 × SELECT * FROM items WHERE order_id = ?',
    advice: 'Load the rows in one round trip.',
    service: 'checkout',
    operation: 'GET /orders',
    severity: 'high',
    evidence: { count: 25, statement: 'SELECT * FROM items WHERE order_id = ?' },
    exampleTraceIds: ['4bf92f3577b34da6a3ce929d0e0e4736', '0af7651916cd43dd8448eb211c80319c'],
    impact: { perRequestMs: 120.5, latencyShare: 0.6, affectedShare: 0.4 },
    effort: 'medium',
    risk: 'low',
    priority: 10,
    occurrences: 42,
    firstSeenMs: 1_700_000_000_000,
    lastSeenMs: 1_700_000_060_000,
    status: 'open',
    ...overrides,
  };
}

/** A source over a fixed list, honouring the filter and the ranking as a RecommendationStore does; counts its calls. */
export class FakeSource implements RecommendationSource {
  calls = 0;
  readonly filters: (RecommendationFilter | undefined)[] = [];
  constructor(private readonly items: readonly Recommendation[]) {}

  list(filter?: RecommendationFilter): Recommendation[] {
    this.calls++;
    this.filters.push(filter);
    return this.items
      .filter((r) => (filter?.service === undefined || r.service === filter.service) && (filter?.type === undefined || r.type === filter.type))
      .filter((r) => filter?.status === undefined || r.status === filter.status)
      .sort((a, b) => b.priority - a.priority);
  }
}

/** A source that always fails, with a detail that must not reach clients. */
export class BrokenSource implements RecommendationSource {
  calls = 0;
  list(): Recommendation[] {
    this.calls++;
    throw new Error('store exploded: secret detail');
  }
}
