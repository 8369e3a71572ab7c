import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  compareRecommendations,
  createRecommendationsApi,
  mergeRecommendations,
  parseRecommendationQuery,
} from '../../../extensions/web/recommendations-api';
import type { Recommendation, RecommendationSource } from '../../../src/recommend/recommendation';
import { testContext } from '../../receivers/otlp/helpers/harness';
import { json, rawRequest } from './http-client';
import { BrokenSource, FakeSource, recommendation } from './recommendation-fixtures';

describe('createRecommendationsApi mounted on a server of its own (the agent /metrics server)', () => {
  let server: Server | undefined;
  afterEach(async () => {
    const s = server;
    server = undefined;
    if (s !== undefined) await new Promise((resolve) => s.close(resolve));
  });

  /** A /metrics server that first offers each request to the API, as the agent would. */
  async function metricsServer(sources: RecommendationSource[]): Promise<{ port: number; lines: string[]; unclaimed: string[] }> {
    const context = testContext('agent');
    const api = createRecommendationsApi(() => sources, { logger: context.logger });
    const unclaimed: string[] = [];
    server = createServer((request, response) => {
      if (api(request, response)) return;
      unclaimed.push(`${request.method ?? ''} ${request.url ?? ''}`);
      if (request.url === '/metrics') response.writeHead(200, { 'content-type': 'text/plain' }).end('up 1\n');
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    return { port: typeof address === 'object' && address !== null ? address.port : 0, lines: context.lines, unclaimed };
  }

  it('answers its path and returns false for /metrics and everything else, leaving the response alone', async () => {
    const { port, unclaimed } = await metricsServer([new FakeSource([recommendation({ id: 'r1' })])]);
    const api = await rawRequest(port, '/api/v1/recommendations?status=open');
    expect(api.status).toBe(200);
    expect(json<{ recommendations: Recommendation[] }>(api).recommendations.map((r) => r.id)).toEqual(['r1']);
    const metrics = await rawRequest(port, '/metrics');
    expect(metrics).toMatchObject({ status: 200, body: 'up 1\n' });
    expect(metrics.headers['content-type']).toBe('text/plain');
    // No index on a mounted API: `/` belongs to the host server.
    expect((await rawRequest(port, '/')).status).toBe(404);
    expect((await rawRequest(port, '/api/v1/slos')).status).toBe(404);
    expect(unclaimed).toEqual(['GET /metrics', 'GET /', 'GET /api/v1/slos']);
  });

  it('answers 405, 400, HEAD and 500 itself on its own path', async () => {
    const { port, lines, unclaimed } = await metricsServer([new BrokenSource()]);
    const post = await rawRequest(port, '/api/v1/recommendations', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect((await rawRequest(port, '/api/v1/recommendations?status=x')).status).toBe(400);
    expect((await rawRequest(port, '/api/v1/recommendations', 'HEAD')).status).toBe(500);
    expect((await rawRequest(port, '/api/v1/recommendations')).status).toBe(500);
    expect(lines).toHaveLength(1);
    expect(unclaimed).toEqual([]);
  });
});

describe('parseRecommendationQuery', () => {
  it.each([
    ['', {}],
    ['status=open', { status: 'open' }],
    ['status=resolved&type=n_plus_one_http', { status: 'resolved', type: 'n_plus_one_http' }],
    ['service=a%20b', { service: 'a b' }],
    ['service=a+b', { service: 'a b' }],
  ])('%j → %j', (query, filter) => {
    expect(parseRecommendationQuery(new URLSearchParams(query))).toEqual({ ok: true, filter });
  });

  it.each([
    ['status=OPEN', 'query parameter "status" must be open or resolved (leave it out for both), got "OPEN"'],
    ['limit=5', 'unknown query parameter "limit"; valid parameters: service, type, status'],
    ['status=', 'query parameter "status" is empty; leave it out to match everything'],
    ['type=a&type=a', 'query parameter "type" is given more than once; give it once'],
  ])('%j is refused', (query, error) => {
    expect(parseRecommendationQuery(new URLSearchParams(query))).toEqual({ ok: false, error });
  });
});

describe('mergeRecommendations', () => {
  it('ranks by priority, NaN last, then latest seen, then id; drops repeated ids', () => {
    const merged = mergeRecommendations(
      [
        new FakeSource([recommendation({ id: 'p1', priority: 1 }), recommendation({ id: 'nan', priority: Number.NaN })]),
        new FakeSource([recommendation({ id: 'p5', priority: 5 }), recommendation({ id: 'p1', priority: 1, lastSeenMs: 0 })]),
        new FakeSource([]),
      ],
      {},
    );
    expect(merged.map((r) => r.id)).toEqual(['p5', 'p1', 'nan']);
    expect(merged[1]?.lastSeenMs).toBe(1_700_000_060_000);
    expect(compareRecommendations(recommendation({ id: 'b' }), recommendation({ id: 'a' }))).toBe(1);
    expect(compareRecommendations(recommendation({ id: 'a' }), recommendation({ id: 'a' }))).toBe(0);
  });
});
