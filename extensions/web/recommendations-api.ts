import type { Recommendation, RecommendationFilter, RecommendationSource, RecommendationStatus } from '../../src/recommend/recommendation';
import { createStderrLogger } from '../../src/logging/logger';
import type { Logger } from '../../src/logging/logger';
import { readQueryParameters } from './query-parameters';
import { createRouteHandler } from './route-handler';
import { errorReply, jsonReply } from './web-route';
import type { WebReply, WebRequestHandler, WebRoute } from './web-route';

/*
 * GET /api/v1/recommendations?service=&type=&status=open|resolved
 *
 *   200 {"recommendations": [Recommendation, …]}   every source's list, merged, highest priority first
 *   400 {"error": "…"}                             unknown, repeated or empty parameter; bad status
 *
 * The response is built per request from the sources' bounded stores
 * (`RecommendationStore` caps what a source keeps), so its size is bounded
 * by theirs; this module keeps nothing between requests.
 */

export const RECOMMENDATIONS_PATH = '/api/v1/recommendations';

const PARAMETERS = ['service', 'type', 'status'] as const;
const STATUSES: readonly RecommendationStatus[] = ['open', 'resolved'];

/** The API's response body. */
export interface RecommendationsResponse {
  readonly recommendations: readonly Recommendation[];
}

/** The filter a query string asks for, or the 400 message saying what is wrong with it. */
export function parseRecommendationQuery(query: URLSearchParams): { ok: true; filter: RecommendationFilter } | { ok: false; error: string } {
  const read = readQueryParameters(query, PARAMETERS);
  if (!read.ok) return read;
  const status = read.values.get('status');
  if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) {
    return { ok: false, error: `query parameter "status" must be ${STATUSES.join(' or ')} (leave it out for both), got ${JSON.stringify(status)}` };
  }
  const service = read.values.get('service');
  const type = read.values.get('type');
  return {
    ok: true,
    filter: {
      ...(service !== undefined && { service }),
      ...(type !== undefined && { type }),
      ...(status !== undefined && { status: status as RecommendationStatus }),
    },
  };
}

/**
 * Ranking order: `priority` descending; ties by the most recently seen, then
 * by id so the order is the same on every request. A NaN priority ranks last.
 */
export function compareRecommendations(a: Recommendation, b: Recommendation): number {
  const pa = Number.isNaN(a.priority) ? -Infinity : a.priority;
  const pb = Number.isNaN(b.priority) ? -Infinity : b.priority;
  if (pa !== pb) return pb - pa;
  if (a.lastSeenMs !== b.lastSeenMs) return b.lastSeenMs - a.lastSeenMs;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Every source's recommendations matching `filter`, ranked. Ids are
 * fingerprints of the problem, so two sources that saw the same problem (two
 * pipelines with a recommend processor each) list it once: the first in
 * rank order is kept.
 */
export function mergeRecommendations(sources: readonly RecommendationSource[], filter: RecommendationFilter): Recommendation[] {
  const all = sources.flatMap((source) => source.list(filter)).sort(compareRecommendations);
  const seen = new Set<string>();
  return all.filter((recommendation) => {
    if (seen.has(recommendation.id)) return false;
    seen.add(recommendation.id);
    return true;
  });
}

/** The route, for a route table (the `web` extension's server). `sources` is read on every request. */
export function recommendationsRoute(sources: () => readonly RecommendationSource[]): WebRoute {
  return {
    path: RECOMMENDATIONS_PATH,
    description: 'performance recommendations, highest priority first',
    parameters: {
      service: 'only this service (service.name)',
      type: 'only this recommendation type, e.g. n_plus_one_db',
      status: 'open or resolved; both when left out',
    },
    respond: ({ query }): WebReply => {
      const parsed = parseRecommendationQuery(query);
      if (!parsed.ok) return errorReply(400, parsed.error);
      const body: RecommendationsResponse = { recommendations: mergeRecommendations(sources(), parsed.filter) };
      return jsonReply(200, body);
    },
  };
}

export interface RecommendationsApiOptions {
  /** Where the first failure of a source is logged. @default a stderr logger at level info */
  readonly logger?: Logger;
}

/**
 * The API as a request handler to mount on a server of one's own (the
 * agent's /metrics server): answers `/api/v1/recommendations` and returns
 * true, returns false for every other path.
 */
export function createRecommendationsApi(sources: () => readonly RecommendationSource[], options: RecommendationsApiOptions = {}): WebRequestHandler {
  return createRouteHandler([recommendationsRoute(sources)], options.logger ?? createStderrLogger());
}
