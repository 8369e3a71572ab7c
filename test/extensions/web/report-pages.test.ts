import { afterEach, describe, expect, it } from 'vitest';
import { WebExtension } from '../../../extensions/web/web-extension';
import type { WebExtensionOptions } from '../../../extensions/web/web-extension';
import { isReportStoreHost } from '../../../extensions/web/report-store-host';
import type { SloDetail } from '../../../extensions/web/pages/slo-detail';
import type { SloList } from '../../../extensions/web/pages/slo-list';
import type { ServiceView } from '../../../extensions/web/pages/service-view';
import type { EventView } from '../../../extensions/web/pages/event-query';
import { ManualClock } from '../../../src/clock';
import type { Component } from '../../../src/pipeline/component';
import { buildSloReport } from '../../../src/report/slo-report';
import { DAY_MS } from '../../../src/slo/durations';
import type { ReportStore } from '../../../src/storage/report-store';
import { objectiveSpec } from '../../helpers/objectives';
import { testContext } from '../../receivers/otlp/helpers/harness';
import { REPORT_INPUT, TO_MS as FIXTURE_TO_MS } from '../../report/report-fixture';
import { json, rawRequest } from './http-client';
import type { RawResponse } from './http-client';
import { MemoryReportStore } from './memory-report-store';
import { FakeSource, recommendation } from './recommendation-fixtures';
import { CHECKOUT, NOW, ROWS, fixtureEvents, fixtureKeyRows, fixtureObjectives, fixtureSloRows } from './report-store-fixture';

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const NO_STORE = 'no store: SLO reports need the storage extension';

function fixtureStore(): MemoryReportStore {
  const store = new MemoryReportStore().addSloRows(fixtureSloRows()).addKeyRows(fixtureKeyRows()).addEvents(fixtureEvents());
  for (const spec of fixtureObjectives()) store.addObjective(spec);
  return store;
}

describe('report pages and /api/v1 report routes', () => {
  let extension: WebExtension | undefined;
  afterEach(async () => {
    await extension?.shutdown();
    extension = undefined;
  });

  async function started(store: ReportStore | undefined, options: WebExtensionOptions = {}, nowMs = NOW): Promise<number> {
    extension = new WebExtension({ host: '127.0.0.1', port: 0 }, { ...testContext('web'), clock: new ManualClock(nowMs) }, options);
    if (store !== undefined) extension.addReportStore(() => store);
    await extension.start();
    return extension.port;
  }

  const html = (response: RawResponse): string => {
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    return response.body;
  };

  it('is a report store host; other components are not', () => {
    const ext = new WebExtension({ host: '127.0.0.1', port: 0 }, testContext('web'));
    expect(isReportStoreHost(ext)).toBe(true);
    const other: Component = { start: () => Promise.resolve(), shutdown: () => Promise.resolve() };
    expect(isReportStoreHost(other)).toBe(false);
  });

  it('without a store: the pages say how to enable it, the API answers 503, recommendations still work', async () => {
    const port = await started(undefined);
    for (const path of ['/api/v1/slos', '/api/v1/slos/checkout-availability', '/api/v1/events', '/api/v1/services/checkout']) {
      const response = await rawRequest(port, path);
      expect(response.status, path).toBe(503);
      expect(json<{ error: string }>(response).error).toContain(NO_STORE);
    }
    for (const path of ['/slos', '/slos/checkout-availability', '/services/checkout']) {
      const response = await rawRequest(port, path);
      expect(response.status, path).toBe(503);
      expect(html(response)).toContain('add `storage: {}` under `extensions:`');
    }
    const home = await rawRequest(port, '/', 'GET', HTML);
    expect(home.status).toBe(503);
    expect(html(home)).toContain(NO_STORE);
    expect((await rawRequest(port, '/recommendations')).status).toBe(200);
    expect((await rawRequest(port, '/api/v1/recommendations')).status).toBe(200);
  });

  it('lists the SLOs least budget remaining first with hand-computed figures', async () => {
    const port = await started(fixtureStore());
    const response = await rawRequest(port, '/api/v1/slos');
    expect(response.status).toBe(200);
    const list = json<SloList>(response);
    expect(list.period).toBeNull();
    expect(list.slos.map((slo) => [slo.name, slo.status])).toEqual([
      ['search-availability', 'exhausted'],
      ['checkout-availability', 'at-risk'],
      ['catalog-latency', 'ok'],
    ]);
    const [search, checkout, catalog] = list.slos;
    // search: 10 bad in 100 against a 1 % budget: ten budgets spent.
    expect(search?.budgetRemaining).toBeCloseTo(-9, 9);
    expect(search?.attainedSli).toBeCloseTo(0.9, 12);
    expect(checkout?.totalEvents).toBe(CHECKOUT.total);
    expect(checkout?.badEvents).toBe(CHECKOUT.bad);
    expect(CHECKOUT).toEqual({ total: 17_280_000, bad: 14_628 });
    expect(checkout?.attainedSli).toBeCloseTo(1 - 14_628 / 17_280_000, 12);
    expect(checkout?.budgetRemaining).toBeCloseTo(1 - 14_628 / 17_280, 9);
    expect(checkout?.openIncidents).toBe(2);
    expect(checkout?.period).toEqual({ fromMs: NOW - 30 * DAY_MS, toMs: NOW, label: '30d' });
    expect(catalog).toMatchObject({ totalEvents: ROWS * 500, badEvents: 0, attainedSli: 1, budgetRemaining: 1, openIncidents: 0 });
    expect(list.summary).toEqual({ ok: 1, atRisk: 1, exhausted: 1 });
  });

  it('renders the same list as a page with stable hooks, and as the home page for a browser only', async () => {
    const port = await started(fixtureStore());
    const api = json<SloList>(await rawRequest(port, '/api/v1/slos'));
    const page = html(await rawRequest(port, '/slos'));
    expect(page).toContain('<table id="slo-table">');
    const rowOrder = [...page.matchAll(/<tr class="status-[a-z-]+" data-slo="([^"]+)"/g)].map((match) => match[1]);
    expect(rowOrder).toEqual(api.slos.map((slo) => slo.name));
    const checkout = api.slos.find((slo) => slo.name === 'checkout-availability');
    expect(page).toContain(`<td class="num" data-field="budget-remaining" data-value="${checkout?.budgetRemaining}">15.3%</td>`);
    expect(page).toContain('<td class="num" data-field="events" data-value="17280000">17280000</td>');
    expect(page).toContain('<td class="num" data-field="open-incidents" data-value="2">2</td>');
    expect(page).toContain('<a href="/slos/checkout-availability">checkout-availability</a>');
    expect(page).toContain('<span class="status status-exhausted">exhausted</span>');
    // A browser at / gets the page; curl and scripts keep the JSON index.
    expect(html(await rawRequest(port, '/', 'GET', HTML))).toBe(page);
    const index = await rawRequest(port, '/');
    expect(index.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json<{ endpoints: { path: string }[] }>(index).endpoints.map((e) => e.path)).toContain('/api/v1/slos');
  });

  it('reports every SLO over ?period= instead of its own', async () => {
    const port = await started(fixtureStore());
    const list = json<SloList>(await rawRequest(port, '/api/v1/slos?period=7d'));
    expect(list.period).toBe('7d');
    const checkout = list.slos.find((slo) => slo.name === 'checkout-availability');
    // 7 days = 2016 rows, 12 of them the burst.
    expect(checkout?.totalEvents).toBe(2016 * 2000);
    expect(checkout?.badEvents).toBe(2004 + 6000);
    expect(checkout?.status).toBe('exhausted');
    expect(checkout?.period).toEqual({ fromMs: NOW - 7 * DAY_MS, toMs: NOW, label: '7d' });
  });

  it.each([
    ['/api/v1/slos?period=week', 'query parameter "period" must be a duration such as 7d or 30d'],
    ['/api/v1/slos?period=0s', 'query parameter "period" must be from 1m to 400d, got "0s"'],
    ['/api/v1/slos?period=500d', 'query parameter "period" must be from 1m to 400d, got "500d"'],
    ['/api/v1/slos?perod=7d', 'unknown query parameter "perod"; valid parameters: period'],
    ['/api/v1/slos/checkout-availability?period=1y', 'query parameter "period" must be a duration'],
    ['/api/v1/services/checkout?window=90d', 'query parameter "window" must be a duration from 1h to 30d such as 24h, got "90d"'],
    ['/api/v1/slos/%E0%A4%A', 'is not valid percent-encoding'],
  ])('answers 400 for %s, as JSON and as a page', async (path, message) => {
    const port = await started(fixtureStore());
    const response = await rawRequest(port, path);
    expect(response.status).toBe(400);
    expect(json<{ error: string }>(response).error).toContain(message);
    const page = await rawRequest(port, path.replace('/api/v1', ''));
    expect(page.status).toBe(400);
    expect(html(page)).toContain('<h1>Bad request</h1>');
  });

  it('answers 404 for unknown SLOs and services, as a page and as JSON', async () => {
    const port = await started(fixtureStore());
    expect(json(await rawRequest(port, '/api/v1/slos/nope'))).toEqual({ error: 'no SLO named "nope"; /slos lists them' });
    const page = await rawRequest(port, '/slos/%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    expect(page.status).toBe(404);
    const body = html(page);
    expect(body).toContain('<h1>Not found</h1>');
    expect(body).toContain('no SLO named &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;');
    expect(body).not.toContain('<script>');
    expect((await rawRequest(port, '/services/nobody')).status).toBe(404);
    expect((await rawRequest(port, '/slos/a/b')).status).toBe(404);
    // Unknown paths keep the JSON 404 of the server.
    expect(json(await rawRequest(port, '/slo'))).toEqual({ error: 'no endpoint at /slo; GET / lists the endpoints' });
  });

  it('details an SLO: burn-down, the burn-rate table from the rollups, incidents', async () => {
    const port = await started(fixtureStore());
    const detail = json<SloDetail>(await rawRequest(port, '/api/v1/slos/checkout-availability'));
    expect(detail.slo.name).toBe('checkout-availability');
    expect(detail.slo.budgetRemaining).toBeCloseTo(1 - 14_628 / 17_280, 9);
    expect(detail.slo.burnDown.length).toBeGreaterThan(100);
    expect(detail.slo.burnDown.at(-1)?.budgetRemaining).toBeCloseTo(detail.slo.budgetRemaining, 9);
    // Google's rules at 30d; every window holds the burst (500 bad in 2000 per row), the long ones diluted by 1 bad in 2000.
    const rows = detail.burnRates.map((row) => ({ rule: `${row.severity}/${row.speed}`, factor: row.factor, short: row.short.burnRate, long: row.long.burnRate, firing: row.firing }));
    expect(rows.map((row) => row.rule)).toEqual(['page/quick', 'page/slow', 'ticket/quick', 'ticket/slow']);
    expect(rows.map((row) => row.factor)).toEqual([14.4, 6, 3, 1]);
    const burn = (bad: number, rows12: number): number => bad / (rows12 * 2000) / 0.001;
    expect(rows[0]?.short).toBeCloseTo(250, 9); // 5m: one burst row
    expect(rows[0]?.long).toBeCloseTo(250, 9); // 1h: the 12 burst rows
    expect(rows[1]?.long).toBeCloseTo(burn(6000 + 60, 72), 9); // 6h
    expect(rows[2]?.long).toBeCloseTo(burn(6000 + 276, 288), 9); // 1d
    expect(rows[3]?.long).toBeCloseTo(burn(6000 + 852, 864), 9); // 3d
    expect(rows.every((row) => row.firing)).toBe(true);
    expect(detail.slo.incidents.map((incident) => [incident.severity, incident.startMs, incident.endMs])).toEqual([
      ['page', NOW - 10 * DAY_MS, NOW - 10 * DAY_MS + 30 * 60_000],
      ['page', NOW - 55 * 60_000, null],
      ['ticket', NOW - 50 * 60_000, null],
    ]);
    expect(detail.slo.anomalies).toHaveLength(1);
    expect(detail.slo.regressions).toHaveLength(1);
    expect(detail.slo.recommendations.map((r) => r.id)).toEqual(['r-n1']);

    const page = html(await rawRequest(port, '/slos/checkout-availability'));
    expect(page).toMatch(/<svg class="burn-down"[^>]*>/);
    expect(page).toMatch(/<polyline class="budget" points="(\d+\.\d,\d+\.\d ?){100,}"\/>/);
    expect(page).toContain('<table id="burn-rates">');
    expect([...page.matchAll(/data-firing="(true|false)"/g)].map((match) => match[1])).toEqual(['true', 'true', 'true', 'true']);
    expect(page).toContain('<table id="incidents">');
    expect(page).toContain('still firing');
    expect(page).toContain('N+1 queries in POST /checkout &lt;items&gt;');
  });

  it('marks no rule firing for a healthy SLO and none at all when alerting is off', async () => {
    const store = fixtureStore().addObjective(
      objectiveSpec({ name: 'quiet', service: 'checkout', alerting: { page: false, ticket: false, windows: fixtureObjectives()[0]!.alerting.windows } }),
    );
    store.addSloRows(fixtureSloRows().filter((row) => row.slo === 'checkout-availability').map((row) => ({ ...row, slo: 'quiet' })));
    const port = await started(store);
    const catalog = json<SloDetail>(await rawRequest(port, '/api/v1/slos/catalog-latency'));
    expect(catalog.burnRates.map((row) => [row.short.burnRate, row.long.burnRate, row.firing])).toEqual(Array.from({ length: 4 }, () => [0, 0, false]));
    const quiet = json<SloDetail>(await rawRequest(port, '/api/v1/slos/quiet'));
    expect(quiet.burnRates.map((row) => [row.enabled, row.firing])).toEqual(Array.from({ length: 4 }, () => [false, false]));
    expect(quiet.burnRates[0]?.short.burnRate).toBeCloseTo(250, 9);
  });

  it('shows a service: p95 against the band per operation, anomalies and regressions', async () => {
    const port = await started(fixtureStore());
    const view = json<ServiceView>(await rawRequest(port, '/api/v1/services/checkout'));
    expect(view).toMatchObject({ service: 'checkout', fromMs: NOW - DAY_MS, toMs: NOW, operationsOmitted: 0 });
    expect(view.operations.map((op) => [op.operation, op.spanKind, op.points.length])).toEqual([['POST /checkout', 'server', 288]]);
    expect(view.operations[0]?.points.at(-1)).toEqual({ endMs: NOW, p95Ms: 480, expectedLowMs: 90, expectedCenterMs: 120, expectedHighMs: 160 });
    expect(view.anomalies.map((event) => event.kind)).toEqual(['anomaly']);
    expect(view.regressions.map((event) => (event.event as { version: string }).version)).toEqual(['1.5.0']);

    const page = html(await rawRequest(port, '/services/checkout'));
    expect(page).toContain('<section data-operation="POST /checkout" data-span-kind="server">');
    expect(page).toMatch(/<path class="band" d="M[\d., L]+Z"\/>/);
    expect(page).toMatch(/<path class="p95" d="M[\d., L]+"\/>/);
    expect(page).toContain('latest p95 480.0 ms, expected 90.0..160.0 ms');
    expect(page).toContain('<table id="anomalies">');
    expect(page).toContain('1.4.0 → 1.5.0');
  });

  it('serves stored events newest first with filters and a bounded limit', async () => {
    const port = await started(fixtureStore());
    const all = json<{ events: EventView[] }>(await rawRequest(port, '/api/v1/events')).events;
    expect(all).toHaveLength(7);
    expect(all.map((event) => event.atMs)).toEqual([...all.map((event) => event.atMs)].sort((a, b) => b - a));
    const alerts = json<{ events: EventView[] }>(await rawRequest(port, '/api/v1/events?kind=slo_alert&slo=checkout-availability&limit=2')).events;
    expect(alerts.map((event) => [event.severity, event.state])).toEqual([
      ['ticket', 'firing'],
      ['page', 'firing'],
    ]);
    expect((alerts[0]?.event as { factor: number }).factor).toBe(14.4);
    const range = json<{ events: EventView[] }>(
      await rawRequest(port, `/api/v1/events?kind=anomaly,regression&service=checkout&from=${new Date(NOW - 3 * 3_600_000).toISOString()}&to=${NOW}`),
    ).events;
    expect(range.map((event) => event.kind)).toEqual(['anomaly', 'regression']);
    for (const [query, message] of [
      ['kind=alert', 'query parameter "kind" must be one or more (comma-separated) of slo_alert, anomaly, regression, recommendation, got "alert"'],
      ['limit=0', 'query parameter "limit" must be a whole number from 1 to 1000, got "0"'],
      ['limit=5000', 'query parameter "limit" must be a whole number from 1 to 1000, got "5000"'],
      ['from=yesterday', 'query parameter "from" must be Unix milliseconds or an ISO 8601 time, got "yesterday"'],
      ['from=10&to=5', 'query parameter "to" must be after "from" (10 .. 5)'],
      ['severity=page', 'unknown query parameter "severity"; valid parameters: kind, service, slo, operation, from, to, limit'],
    ]) {
      const response = await rawRequest(port, `/api/v1/events?${query}`);
      expect(response.status, query).toBe(400);
      expect(json(response), query).toEqual({ error: message });
    }
  });

  it('makes a bounded number of store queries per request, however many rows the store holds', async () => {
    const small = fixtureStore();
    const large = fixtureStore();
    // Five more series per SLO: six times the rows.
    for (let copy = 0; copy < 5; copy++) large.addSloRows(fixtureSloRows().map((row) => ({ ...row, series: JSON.stringify({ service: row.service, copy }) })));
    const calls: number[][] = [];
    for (const store of [small, large]) {
      const port = await started(store);
      const counts: number[] = [];
      for (const path of ['/api/v1/slos', '/slos/checkout-availability', '/services/checkout', '/api/v1/events']) {
        store.resetCalls();
        expect((await rawRequest(port, path)).status, path).toBe(200);
        counts.push(store.totalCalls());
      }
      calls.push(counts);
      await extension?.shutdown();
    }
    expect(calls[1]).toEqual(calls[0]);
    // The list: objectives, then per SLO a handful of sums and event reads; the detail adds one sum per window and incident.
    expect(Math.max(...(calls[0] ?? []))).toBeLessThanOrEqual(40);
  });

  it('reads the report through the injected loader', async () => {
    const store = new MemoryReportStore();
    for (const slo of REPORT_INPUT.slos) store.addObjective(objectiveSpec({ name: slo.name, objective: slo.objective, sli: slo.sli }));
    const requests: string[][] = [];
    const port = await started(store, {
      loadReport: (_store, request) => {
        requests.push([...request.slos]);
        return buildSloReport({ ...REPORT_INPUT, slos: REPORT_INPUT.slos.filter((slo) => request.slos.includes(slo.name)) });
      },
    }, FIXTURE_TO_MS);
    const list = json<SloList>(await rawRequest(port, '/api/v1/slos'));
    expect(requests).toEqual([['catalog-latency', 'checkout-availability']]);
    expect(list.slos.map((slo) => [slo.name, slo.status, slo.openIncidents])).toEqual([
      ['checkout-availability', 'exhausted', 1],
      ['catalog-latency', 'ok', 0],
    ]);
    const page = html(await rawRequest(port, '/slos/checkout-availability'));
    expect(page).toContain('May 2024 (30d)');
    expect(page).toContain('1.4.0 → 1.5.0: +120.0 ms');
  });

  it('lists the live recommendations with evidence and impact, escaped, with the API filters', async () => {
    const port = await started(undefined);
    extension?.addRecommendationSource(
      'recommend',
      new FakeSource([
        recommendation({ id: 'a', priority: 9, evidence: { statement: 'SELECT * FROM t WHERE x < ?', count: 25 }, impact: { perRequestMs: 84.5, latencyShare: 0.5, affectedShare: 0.25, errorBudgetShare: 1.25, slo: 'checkout-latency' } }),
        recommendation({ id: 'b', priority: 3, service: 'inventory', status: 'resolved' }),
      ]),
    );
    const page = html(await rawRequest(port, '/recommendations'));
    expect([...page.matchAll(/data-recommendation="([^"]+)"/g)].map((match) => match[1])).toEqual(['a', 'b']);
    expect(page).toContain('<dt>statement</dt><dd>SELECT * FROM t WHERE x &lt; ?</dd>');
    expect(page).toContain('<span data-field="per-request-ms" data-value="84.5">84.5 ms</span>');
    expect(page).toContain('125% of the error budget of <a href="/slos/checkout-latency">checkout-latency</a>');
    expect(page).toContain('<code>4bf92f3577b34da6a3ce929d0e0e4736</code>');
    const open = html(await rawRequest(port, '/recommendations?status=open'));
    expect([...open.matchAll(/data-recommendation="([^"]+)"/g)].map((match) => match[1])).toEqual(['a']);
    const bad = await rawRequest(port, '/recommendations?status=all');
    expect(bad.status).toBe(400);
    expect(html(bad)).toContain('query parameter &quot;status&quot; must be open or resolved');
  });

  it('answers HEAD on pages with the headers only, and 405 for other methods', async () => {
    const port = await started(fixtureStore());
    const get = await rawRequest(port, '/slos/checkout-availability');
    const head = await rawRequest(port, '/slos/checkout-availability', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
    const post = await rawRequest(port, '/slos/checkout-availability', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });
});
