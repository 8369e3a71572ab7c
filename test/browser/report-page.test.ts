import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebExtension } from '../../extensions/web/web-extension';
import type { SloDetail } from '../../extensions/web/pages/slo-detail';
import type { SloList } from '../../extensions/web/pages/slo-list';
import { ManualClock } from '../../src/clock';
import { formatPercent } from '../../src/report/report-format';
import { SlowatchStore } from '../../src/storage/slowatch-store';
import { startGatewayProcess } from '../helpers/gateway-process';
import type { GatewayPorts, RunningGatewayProcess } from '../helpers/gateway-process';
import { OtlpSpanBatches, postOtlpJson } from '../helpers/otlp-span-batches';
import { freePort, waitUntil } from '../helpers/processes';
import { testContext } from '../receivers/otlp/helpers/harness';
import { NOW, fixtureEvents, fixtureKeyRows, fixtureObjectives, fixtureSloRows } from '../extensions/web/report-store-fixture';

/*
 * The acceptance test of the built-in report page: Debian's chromium,
 * driven by playwright-core, opens the pages the `web` extension serves.
 *
 * - On a real gateway after a load run: `slowatch serve` from dist/ with
 *   the storage extension (a SQLite file in a temporary directory, written
 *   every second) and the web extension, fed OTLP spans with known errors
 *   and slow requests. Once /api/v1/slos counts every span sent, the SLO
 *   table's rows and numbers are checked against /api/v1/slos and against
 *   the spans sent, and an SLO's page is opened from its link and its
 *   burn-down chart checked as drawn.
 * - Over a fixture store (SlowatchStore in a temporary file) holding 30
 *   days of rollups, alerts, an anomaly, a regression and a recommendation
 *   (test/extensions/web/report-store-fixture.ts), served by an in-process
 *   WebExtension on a manual clock: what a month of history looks like,
 *   the service page and the 404 page included.
 *
 * Screenshots go to test-artifacts/screenshots/ (kept by CI, gitignored).
 */

const CHROMIUM = '/usr/bin/chromium';
const repoRoot = path.resolve(__dirname, '..', '..');
const SCREENSHOTS = path.join(repoRoot, 'test-artifacts', 'screenshots');
const skip = !existsSync(CHROMIUM) && process.env.CI !== 'true';
if (skip) console.warn(`${CHROMIUM} not found (apt-get install chromium; CI installs it): skipping the report page browser test`);

/** The status badges' background colours (the page's stylesheet). */
const STATUS_COLOURS = { exhausted: 'rgb(255, 235, 233)', 'at-risk': 'rgb(255, 248, 197)', ok: 'rgb(218, 251, 225)' } as const;
/** The burn-down line's stroke. */
const BUDGET_STROKE = 'rgb(9, 105, 218)';

/** The browser's global, for functions that run in chromium: the tests compile without the DOM's type declarations. */
declare function getComputedStyle(element: unknown): Readonly<Record<string, string>>;

/** A computed style property of the element, read in the page. */
async function computedStyle(locator: Locator, property: 'backgroundColor' | 'stroke'): Promise<string> {
  return locator.evaluate((element: unknown, name: string) => getComputedStyle(element)[name] ?? '', property);
}

/** What the SLO table's rows show, top to bottom. */
async function sloTableRows(page: Page): Promise<
  {
    name: string | null;
    status: string | null;
    budgetValue: string | null;
    budgetText: string | null;
    attainedValue: string | null;
    attainedText: string | null;
    events: string | null;
    badEvents: string | null;
    openIncidents: string | null;
    badge: string;
  }[]
> {
  const rows = [];
  for (const tr of await page.locator('#slo-table tbody tr').all()) {
    const cell = (field: string): Locator => tr.locator(`td[data-field="${field}"]`);
    rows.push({
      name: await tr.getAttribute('data-slo'),
      status: await tr.getAttribute('data-status'),
      budgetValue: await cell('budget-remaining').getAttribute('data-value'),
      budgetText: await cell('budget-remaining').textContent(),
      attainedValue: await cell('attained-sli').getAttribute('data-value'),
      attainedText: await cell('attained-sli').textContent(),
      events: await cell('events').textContent(),
      badEvents: await cell('bad-events').textContent(),
      openIncidents: await cell('open-incidents').textContent(),
      badge: await computedStyle(tr.locator('.status'), 'backgroundColor'),
    });
  }
  return rows;
}

/** The table's rows agree with /api/v1/slos, row by row, in the API's order. */
function expectRowsMatchApi(rows: Awaited<ReturnType<typeof sloTableRows>>, api: SloList): void {
  expect(rows.map((row) => row.name)).toEqual(api.slos.map((slo) => slo.name));
  for (const [index, slo] of api.slos.entries()) {
    const row = rows[index];
    expect(row?.status, slo.name).toBe(slo.status);
    expect(Number(row?.budgetValue), slo.name).toBe(slo.budgetRemaining);
    expect(row?.budgetText, slo.name).toBe(formatPercent(slo.budgetRemaining, 1));
    expect(row?.attainedText, slo.name).toBe(formatPercent(slo.attainedSli, 3));
    expect(row?.events, slo.name).toBe(String(slo.totalEvents));
    expect(row?.badEvents, slo.name).toBe(String(slo.badEvents));
    expect(row?.openIncidents, slo.name).toBe(String(slo.openIncidents));
  }
}

/** The `points` attribute of a polyline as numbers. */
async function polylinePoints(line: Locator): Promise<{ x: number; y: number }[]> {
  const text = ((await line.getAttribute('points')) ?? '').trim();
  return text === ''
    ? []
    : text.split(/\s+/).map((pair) => {
        const [x, y] = pair.split(',').map(Number);
        return { x: x ?? NaN, y: y ?? NaN };
      });
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  expect(response.status, url).toBe(200);
  return (await response.json()) as T;
}

describe.skipIf(skip)('report page in chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });

  afterAll(async () => {
    await browser?.close();
  });

  describe('on a real gateway with storage and web, after a load run', () => {
    // 12 batches of 50 spans: 2 failed (4 %) and 2 slow (4 %) in each.
    const BATCHES = 12;
    const batches = new OtlpSpanBatches({ service: 'shop', route: '/orders', spans: 50, failed: 2, slow: 2, slowMs: 300, fastMs: 20 });
    let directory: string;
    let gateway: RunningGatewayProcess;
    let webUrl: string;
    let page: Page;

    // Three SLOs on the same traffic, one per status: 4 % errors burn a 1 % budget 4 times (exhausted) and 80 % of a 5 % one (at risk);
    // 4 % slow spend 40 % of a 10 % latency budget (ok).
    const config = (ports: GatewayPorts, webPort: number, storePath: string): string => `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${ports.http} }
processors:
  slo:
    evaluation_interval: 1s
    objectives:
      - name: shop-availability
        service: shop
        sli: { availability: {} }
        objective: 99
      - name: shop-availability-relaxed
        service: shop
        sli: { availability: {} }
        objective: 95
      - name: shop-latency
        service: shop
        sli: { latency: { threshold: 200ms } }
        objective: 90
extensions:
  health_check: { endpoint: 127.0.0.1:${ports.health} }
  storage: { path: ${JSON.stringify(storePath)}, snapshot_interval: 1s, rollup_interval: 1s }
  web: { endpoint: 127.0.0.1:${webPort} }
service:
  extensions: [health_check, storage, web]
  pipelines:
    traces: { receivers: [otlp], processors: [slo], exporters: [] }
`;

    /** Good and bad events each SLO must count: failed spans are fast (good for latency), slow ones succeed. */
    const expected = (): Record<string, { good: number; bad: number }> => {
      const { spans, failed, slow } = batches.totals;
      return {
        'shop-availability': { good: spans - failed, bad: failed },
        'shop-availability-relaxed': { good: spans - failed, bad: failed },
        'shop-latency': { good: spans - slow, bad: slow },
      };
    };

    beforeAll(async () => {
      directory = mkdtempSync(path.join(tmpdir(), 'slowatch-report-page-gateway-'));
      const storePath = path.join(directory, 'slowatch.db');
      const webPort = await freePort();
      gateway = await startGatewayProcess((ports) => config(ports, webPort, storePath));
      webUrl = `http://127.0.0.1:${webPort}`;
      for (let i = 0; i < BATCHES; i++) {
        expect(await postOtlpJson(gateway.ports.http, batches.batch())).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 400));
      }
      // The storage extension writes every second; the page reads what it wrote.
      const totals = expected();
      await waitUntil(
        async () => {
          const list = await getJson<SloList>(`${webUrl}/api/v1/slos`);
          const done = list.slos.length === 3 && list.slos.every((slo) => slo.goodEvents === totals[slo.name]?.good && slo.badEvents === totals[slo.name]?.bad);
          return done ? true : undefined;
        },
        15_000,
        250,
      );
      page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    }, 45_000);

    afterAll(async () => {
      await page?.close();
      await gateway?.close();
      if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
    });

    it('shows one row per SLO with the numbers of /api/v1/slos and of the spans sent, in status colours', async () => {
      const api = await getJson<SloList>(`${webUrl}/api/v1/slos`);
      const response = await page.goto(`${webUrl}/`);
      expect(response?.status()).toBe(200);
      expect(await page.title()).toBe('SLOs · slowatch');
      const rows = await sloTableRows(page);
      expectRowsMatchApi(rows, api);

      const totals = expected();
      expect(batches.totals).toEqual({ spans: BATCHES * 50, failed: BATCHES * 2, slow: BATCHES * 2 });
      for (const row of rows) {
        const want = totals[row.name ?? ''];
        expect(want, `row ${row.name}`).toBeDefined();
        const total = (want?.good ?? 0) + (want?.bad ?? 0);
        expect(row.events, row.name ?? '').toBe(String(batches.totals.spans));
        expect(row.badEvents, row.name ?? '').toBe(String(want?.bad));
        expect(Number(row.attainedValue), row.name ?? '').toBeCloseTo((want?.good ?? 0) / total, 12);
      }
      // Least budget remaining first: 1 − 4, 1 − 0.8, 1 − 0.4.
      expect(rows.map((row) => [row.name, row.status, Number(row.budgetValue).toFixed(6), row.badge])).toEqual([
        ['shop-availability', 'exhausted', (-3).toFixed(6), STATUS_COLOURS.exhausted],
        ['shop-availability-relaxed', 'at-risk', (0.2).toFixed(6), STATUS_COLOURS['at-risk']],
        ['shop-latency', 'ok', (0.6).toFixed(6), STATUS_COLOURS.ok],
      ]);
      expect(await page.locator('#summary [data-count="exhausted"]').textContent()).toBe('1');
      await page.screenshot({ path: path.join(SCREENSHOTS, 'gateway-slo-list.png'), fullPage: true });
    });

    it("opens an SLO's page from its link, with the burn-down drawn over the run and its figures", async () => {
      await page.goto(`${webUrl}/slos`);
      await Promise.all([page.waitForURL('**/slos/shop-availability'), page.click('a[href="/slos/shop-availability"]')]);
      expect(await page.locator('h1').textContent()).toBe('SLO shop-availability');
      const detail = await getJson<SloDetail>(`${webUrl}/api/v1/slos/shop-availability`);
      expect(await page.locator('#figures [data-field="budget-remaining"]').getAttribute('data-value')).toBe(String(detail.slo.budgetRemaining));
      expect(detail.slo.totalEvents).toBe(batches.totals.spans);
      // Over the SLO's 30 days, the run is at the very end: the line still crosses the plot, from 100 % down to −300 %.
      const monthLine = page.locator('#burn-down svg.burn-down polyline.budget');
      expect((await polylinePoints(monthLine)).length).toBe(detail.slo.burnDown.length);
      expect((await monthLine.boundingBox())?.width).toBeGreaterThan(100);
      const firing = await Promise.all((await page.locator('#burn-rates tbody tr').all()).map((tr) => tr.getAttribute('data-firing')));
      expect(firing).toEqual(detail.burnRates.map((row) => String(row.firing)));
      expect(await page.locator('#incidents tbody tr').count()).toBe(detail.slo.incidents.length);

      // Over the last minute, one point per second of traffic: the burn-down of the run itself.
      const recent = await getJson<SloDetail>(`${webUrl}/api/v1/slos/shop-availability?period=1m`);
      const response = await page.goto(`${webUrl}/slos/shop-availability?period=1m`);
      expect(response?.status()).toBe(200);
      const chart = page.locator('#burn-down svg.burn-down');
      const chartBox = await chart.boundingBox();
      expect(chartBox?.width).toBeGreaterThan(100);
      expect(chartBox?.height).toBeGreaterThan(50);
      const line = chart.locator('polyline.budget');
      const points = await polylinePoints(line);
      expect(points.length).toBeGreaterThanOrEqual(4);
      expect(points.length).toBe(recent.slo.burnDown.length);
      for (const point of points) expect(Number.isFinite(point.x) && Number.isFinite(point.y), JSON.stringify(point)).toBe(true);
      for (let i = 1; i < points.length; i++) expect(points[i]?.x).toBeGreaterThanOrEqual(points[i - 1]?.x ?? Infinity);
      // Untouched at the period's start (the top), −300 % at the end (lower on the screen).
      expect(recent.slo.burnDown[0]?.budgetRemaining).toBe(1);
      expect(recent.slo.burnDown.at(-1)?.budgetRemaining).toBeCloseTo(-3, 9);
      expect(points.at(-1)?.y).toBeGreaterThan(points[0]?.y ?? Infinity);
      const lineBox = await line.boundingBox();
      expect(lineBox?.width).toBeGreaterThan(0);
      expect(lineBox?.height).toBeGreaterThan(50);
      expect(await computedStyle(line, 'stroke')).toBe(BUDGET_STROKE);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'gateway-slo-detail.png'), fullPage: true });
    });
  });

  describe('over a fixture store holding 30 days', () => {
    let page: Page;
    let web: WebExtension;
    let store: SlowatchStore;
    let directory: string;

    beforeAll(async () => {
      directory = mkdtempSync(path.join(tmpdir(), 'slowatch-report-page-'));
      // What the gateway's storage extension would have written over 30 days.
      store = SlowatchStore.open({ path: path.join(directory, 'slowatch.db') });
      store.writeObjectives(fixtureObjectives(), NOW);
      store.write({ sloRollups: fixtureSloRows(), keyRollups: fixtureKeyRows(), events: fixtureEvents() });
      web = new WebExtension({ host: '127.0.0.1', port: 0 }, { ...testContext('web'), clock: new ManualClock(NOW) });
      web.addReportStore(() => store);
      await web.start();
      page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    });

    afterAll(async () => {
      await page?.close();
      await web?.shutdown();
      store?.close();
      if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
    });

    it('shows the SLO table with the numbers of /api/v1/slos, in status colours', async () => {
      const api = await getJson<SloList>(`${web.url}/api/v1/slos`);
      expect(api.slos.length).toBe(3);
      const response = await page.goto(`${web.url}/`);
      expect(response?.status()).toBe(200);
      expect(await page.title()).toBe('SLOs · slowatch');
      const rows = await sloTableRows(page);
      expectRowsMatchApi(rows, api);
      expect(rows.map((row) => [row.status, row.badge])).toEqual([
        ['exhausted', STATUS_COLOURS.exhausted],
        ['at-risk', STATUS_COLOURS['at-risk']],
        ['ok', STATUS_COLOURS.ok],
      ]);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'slo-list.png'), fullPage: true });
    });

    it('opens an SLO page whose burn-down chart rendered, with its burn-rate table and incidents', async () => {
      await page.goto(`${web.url}/slos`);
      await Promise.all([page.waitForURL('**/slos/checkout-availability'), page.click('a[href="/slos/checkout-availability"]')]);
      expect(await page.locator('h1').textContent()).toBe('SLO checkout-availability');
      const chart = page.locator('#burn-down svg.burn-down');
      const box = await chart.boundingBox();
      expect(box?.width).toBeGreaterThan(100);
      expect(box?.height).toBeGreaterThan(50);
      const line = chart.locator('polyline.budget');
      expect((await polylinePoints(line)).length).toBeGreaterThan(100);
      const lineBox = await line.boundingBox();
      expect(lineBox?.width).toBeGreaterThan(100);
      expect(lineBox?.height).toBeGreaterThan(0);
      // Drawn as a visible stroke, not left to the browser's defaults.
      expect(await computedStyle(line, 'stroke')).toBe(BUDGET_STROKE);

      const detail = await getJson<SloDetail>(`${web.url}/api/v1/slos/checkout-availability`);
      const firing = await Promise.all((await page.locator('#burn-rates tbody tr').all()).map((tr) => tr.getAttribute('data-firing')));
      expect(firing).toEqual(detail.burnRates.map((row) => String(row.firing)));
      expect(firing).toContain('true');
      expect(await page.locator('#incidents tbody tr').count()).toBe(detail.slo.incidents.length);
      expect(await page.locator('#figures [data-field="budget-remaining"]').getAttribute('data-value')).toBe(String(detail.slo.budgetRemaining));
      await page.screenshot({ path: path.join(SCREENSHOTS, 'slo-detail.png'), fullPage: true });
    });

    it('opens the service page with the latency chart, and answers an unknown SLO with the 404 page', async () => {
      await page.goto(`${web.url}/services/checkout`);
      const p95 = page.locator('section[data-operation="POST /checkout"] svg.latency path.p95');
      expect((await p95.boundingBox())?.width).toBeGreaterThan(100);
      expect(await page.locator('section[data-operation="POST /checkout"] svg.latency path.band').count()).toBe(1);
      expect(await page.locator('#regressions tbody tr').count()).toBe(1);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'service.png'), fullPage: true });
      const missing = await page.goto(`${web.url}/slos/no-such-slo`);
      expect(missing?.status()).toBe(404);
      expect(await page.locator('#message').textContent()).toBe('no SLO named "no-such-slo"; /slos lists them');
    });
  });
});
