import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebExtension } from '../../../extensions/web/web-extension';
import { WebServer } from '../../../extensions/web/web-server';
import { isRecommendationSourceHost } from '../../../extensions/web/recommendation-source-host';
import { webExtensionRuntime } from '../../../extensions/web/runtime';
import type { Component } from '../../../src/pipeline/component';
import type { Recommendation } from '../../../src/recommend/recommendation';
import { testContext } from '../../receivers/otlp/helpers/harness';
import type { TestContext } from '../../receivers/otlp/helpers/harness';
import { json, rawRequest } from './http-client';
import { BrokenSource, FakeSource, recommendation } from './recommendation-fixtures';

const PATH = '/api/v1/recommendations';

type ListBody = { recommendations: Recommendation[] };
const ids = (body: ListBody): string[] => body.recommendations.map((r) => r.id);

/** Two processors' stores: checkout's and inventory's, open and resolved, interleaved priorities. */
function twoSources(): [FakeSource, FakeSource] {
  return [
    new FakeSource([
      recommendation({ id: 'a-open-9', service: 'checkout', type: 'n_plus_one_db', priority: 9 }),
      recommendation({ id: 'a-open-3', service: 'checkout', type: 'sequential_calls', priority: 3 }),
      recommendation({ id: 'a-resolved-7', service: 'checkout', type: 'n_plus_one_db', priority: 7, status: 'resolved', resolvedAtMs: 1_700_000_100_000 }),
    ]),
    new FakeSource([
      recommendation({ id: 'b-open-12', service: 'inventory', type: 'slow_db_statement', priority: 12 }),
      recommendation({ id: 'b-open-5', service: 'inventory', type: 'n_plus_one_db', priority: 5 }),
    ]),
  ];
}

describe('web extension', () => {
  let extension: WebExtension | undefined;
  let context: TestContext;
  afterEach(async () => {
    await extension?.shutdown();
    extension = undefined;
  });

  async function started(sources: Record<string, FakeSource | BrokenSource>): Promise<number> {
    context = testContext('web');
    extension = new WebExtension({ host: '127.0.0.1', port: 0 }, context);
    for (const [id, source] of Object.entries(sources)) extension.addRecommendationSource(id, source);
    await extension.start();
    return extension.port;
  }

  it('merges every source, highest priority first, with JSON and no-store headers', async () => {
    const [a, b] = twoSources();
    const port = await started({ 'recommend/a': a, 'recommend/b': b });
    const response = await rawRequest(port, PATH);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(Number(response.headers['content-length'])).toBe(Buffer.byteLength(response.body));
    expect(ids(json(response))).toEqual(['b-open-12', 'a-open-9', 'a-resolved-7', 'b-open-5', 'a-open-3']);
    // The objects are served as the sources give them, every field.
    expect(json<ListBody>(response).recommendations[1]).toEqual(recommendation({ id: 'a-open-9', service: 'checkout', type: 'n_plus_one_db', priority: 9 }));
  });

  it.each([
    ['?status=open', ['b-open-12', 'a-open-9', 'b-open-5', 'a-open-3']],
    ['?status=resolved', ['a-resolved-7']],
    ['?service=checkout', ['a-open-9', 'a-resolved-7', 'a-open-3']],
    ['?type=n_plus_one_db', ['a-open-9', 'a-resolved-7', 'b-open-5']],
    ['?service=inventory&type=n_plus_one_db&status=open', ['b-open-5']],
    ['?service=nobody', []],
    ['?service=check%6Fut&status=open', ['a-open-9', 'a-open-3']],
  ])('filters %s', async (query, expected) => {
    const [a, b] = twoSources();
    const port = await started({ a, b });
    const response = await rawRequest(port, `${PATH}${query}`);
    expect(response.status).toBe(200);
    expect(ids(json(response))).toEqual(expected);
  });

  it('hands the filter to every source', async () => {
    const [a, b] = twoSources();
    const port = await started({ a, b });
    await rawRequest(port, `${PATH}?service=checkout&status=open`);
    expect(a.filters).toEqual([{ service: 'checkout', status: 'open' }]);
    expect(b.filters).toEqual([{ service: 'checkout', status: 'open' }]);
  });

  it('lists a problem two sources both saw once, and breaks priority ties by the latest seen, then id', async () => {
    const shared = recommendation({ id: 'same', priority: 4, lastSeenMs: 5 });
    const port = await started({
      a: new FakeSource([shared, recommendation({ id: 'tie-b', priority: 2, lastSeenMs: 10 }), recommendation({ id: 'tie-old', priority: 2, lastSeenMs: 1 })]),
      b: new FakeSource([{ ...shared, lastSeenMs: 9 }, recommendation({ id: 'tie-a', priority: 2, lastSeenMs: 10 })]),
    });
    const body = json<ListBody>(await rawRequest(port, PATH));
    expect(ids(body)).toEqual(['same', 'tie-a', 'tie-b', 'tie-old']);
    // Of the duplicates, the one ranked first (seen last) is kept.
    expect(body.recommendations[0]?.lastSeenMs).toBe(9);
  });

  it('replaces a source added again under the same id; sources added after start are served', async () => {
    const port = await started({});
    expect(json(await rawRequest(port, PATH))).toEqual({ recommendations: [] });
    extension?.addRecommendationSource('recommend', new FakeSource([recommendation({ id: 'first' })]));
    extension?.addRecommendationSource('recommend', new FakeSource([recommendation({ id: 'second' })]));
    expect(ids(json(await rawRequest(port, PATH)))).toEqual(['second']);
  });

  it.each([
    ['?status=closed', 'query parameter "status" must be open or resolved (leave it out for both), got "closed"'],
    ['?status=all', 'query parameter "status" must be open or resolved (leave it out for both), got "all"'],
    ['?servce=checkout', 'unknown query parameter "servce"; valid parameters: service, type, status'],
    ['?service=a&service=b', 'query parameter "service" is given more than once; give it once'],
    ['?type=', 'query parameter "type" is empty; leave it out to match everything'],
  ])('answers 400 naming the parameter for %s', async (query, message) => {
    const [a] = twoSources();
    const port = await started({ a });
    const response = await rawRequest(port, `${PATH}${query}`);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json(response)).toEqual({ error: message });
    expect(a.calls).toBe(0);
  });

  it('answers 404 JSON for unknown paths, trailing slashes and targets that look like another host', async () => {
    const port = await started({});
    for (const path of ['/api/v1/recommendation', `${PATH}/`, '/metrics', '//evil.example/api/v1/recommendations', '/API/V1/RECOMMENDATIONS']) {
      const response = await rawRequest(port, path);
      expect(response.status, path).toBe(404);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(json(response)).toEqual({ error: `no endpoint at ${path}; GET / lists the endpoints` });
    }
  });

  it('refuses other methods with 405 and Allow; HEAD is GET without the body', async () => {
    const [a] = twoSources();
    const port = await started({ a });
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const response = await rawRequest(port, PATH, method);
      expect(response.status, method).toBe(405);
      expect(response.headers.allow).toBe('GET, HEAD');
      expect(json(response)).toEqual({ error: `${PATH} accepts GET and HEAD, got ${method}` });
    }
    expect((await rawRequest(port, '/', 'POST')).status).toBe(405);
    const get = await rawRequest(port, `${PATH}?status=open`);
    const head = await rawRequest(port, `${PATH}?status=open`, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
    expect(head.headers['content-type']).toBe('application/json; charset=utf-8');
    expect((await rawRequest(port, `${PATH}?status=bad`, 'HEAD')).status).toBe(400);
  });

  it('answers 500 when a source throws, logs it once, and keeps serving', async () => {
    const broken = new BrokenSource();
    const [good] = twoSources();
    const port = await started({ good, broken });
    for (let i = 0; i < 3; i++) {
      const response = await rawRequest(port, PATH);
      expect(response.status).toBe(500);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(json(response)).toEqual({ error: `${PATH} failed; the server's log says why` });
      expect(response.body).not.toContain('secret');
    }
    expect(broken.calls).toBe(3);
    expect(context.lines).toEqual(['error: web /api/v1/recommendations failed; further failures are counted, not logged: store exploded: secret detail']);
    // The server is still up.
    expect((await rawRequest(port, '/')).status).toBe(200);
  });

  it('lists its endpoints at GET /', async () => {
    const port = await started({});
    const response = await rawRequest(port, '/?verbose=1');
    expect(response.status).toBe(200);
    const { endpoints } = json<{ endpoints: { path: string }[] }>(response);
    expect(endpoints.slice(0, 2)).toEqual([
      { path: '/', description: 'this list' },
      {
        path: PATH,
        description: 'performance recommendations, highest priority first',
        parameters: {
          service: 'only this service (service.name)',
          type: 'only this recommendation type, e.g. n_plus_one_db',
          status: 'open or resolved; both when left out',
        },
      },
    ]);
    // The report pages and their JSON (report-pages.test.ts); prefix routes end with /.
    expect(endpoints.slice(2).map((endpoint) => endpoint.path)).toEqual([
      '/slos',
      '/slos/',
      '/services/',
      '/recommendations',
      '/api/v1/slos',
      '/api/v1/slos/',
      '/api/v1/services/',
      '/api/v1/events',
    ]);
  });

  it('rejects start with one line naming the address when the port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      extension = new WebExtension({ host: '127.0.0.1', port }, testContext('web/api'));
      await expect(extension.start()).rejects.toThrow(new Error(`extension web/api: cannot listen on 127.0.0.1:${port}: EADDRINUSE`));
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('stops serving after shutdown, which resolves even with a connection open, twice, and before start', async () => {
    const ext = new WebExtension({ host: '127.0.0.1', port: 0 }, testContext('web'));
    await ext.shutdown(); // before start
    await ext.start();
    const { url } = ext;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // fetch keeps its connection alive: shutdown must not wait for it.
    expect((await fetch(`${url}${PATH}`)).status).toBe(200);
    await ext.shutdown();
    await expect(fetch(`${url}${PATH}`)).rejects.toThrow();
    await ext.shutdown();
  });

  it('is a recommendation source host; other components are not', () => {
    const ext = webExtensionRuntime.create({ host: '127.0.0.1', port: 0 }, testContext('web'));
    expect(ext).toBeInstanceOf(WebExtension);
    expect(isRecommendationSourceHost(ext)).toBe(true);
    const other: Component = { start: () => Promise.resolve(), shutdown: () => Promise.resolve() };
    expect(isRecommendationSourceHost(other)).toBe(false);
    expect(webExtensionRuntime).toMatchObject({ kind: 'extension', type: 'web' });
  });
});

describe('WebServer', () => {
  it('serves the routes it is given beside the index, and writes [v6] hosts in brackets', async () => {
    const server = new WebServer({
      host: '127.0.0.1',
      port: 0,
      logger: testContext('web').logger,
      holdsProcessOpen: false,
      routes: [{ path: '/api/v1/ping', description: 'ping', respond: ({ query }) => ({ status: 200, contentType: 'text/plain; charset=utf-8', body: `pong ${query.get('n') ?? ''}` }) }],
    });
    try {
      await server.start();
      const response = await rawRequest(server.port, '/api/v1/ping?n=3');
      expect(response).toMatchObject({ status: 200, body: 'pong 3' });
      expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(json<{ endpoints: { path: string }[] }>(await rawRequest(server.port, '/')).endpoints.map((e) => e.path)).toEqual(['/', '/api/v1/ping']);
    } finally {
      await server.shutdown();
    }
    const v6 = new WebServer({ host: '::1', port: 8888, logger: testContext('web').logger, routes: [] });
    expect(v6.url).toBe('http://[::1]:8888');
  });

  it('refuses two routes for one path', () => {
    const route = { path: '/x', description: 'x', respond: () => ({ status: 200, contentType: 'text/plain', body: '' }) };
    expect(() => new WebServer({ host: '127.0.0.1', port: 0, logger: testContext('web').logger, routes: [route, route] })).toThrow('two web routes for /x');
  });
});
