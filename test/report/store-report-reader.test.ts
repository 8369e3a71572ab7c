import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportInputError } from '../../src/report/report-input-error';
import { buildSloReport } from '../../src/report/slo-report';
import type { SloReportEntryInput } from '../../src/report/slo-report';
import { canonicalLabels, readSloReportInput } from '../../src/report/store-report-reader';
import { SlowatchStore } from '../../src/storage/slowatch-store';
import { at, CATALOG, CHECKOUT, STORE_FROM_MS, STORE_TO_MS, writeReportStoreFixture } from './report-store-fixture';

/** The store reader over the fixed SQLite store of report-store-fixture.ts. */
describe('readSloReportInput over a SlowatchStore', () => {
  let dir: string;
  let store: SlowatchStore;
  const may = { fromMs: STORE_FROM_MS, toMs: STORE_TO_MS, label: 'May 2024' };
  const entry = (name: string, input = readSloReportInput(store, may)): SloReportEntryInput => {
    const found = input.slos.find((slo) => slo.name === name);
    if (found === undefined) throw new Error(`no ${name}`);
    return found;
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'slowatch-report-reader-'));
    const file = path.join(dir, 'slowatch.db');
    writeReportStoreFixture(file);
    store = SlowatchStore.open({ path: file, readonly: true });
  });

  afterAll(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads every stored objective, by name, with the period counts', () => {
    const input = readSloReportInput(store, may);
    expect(input.period).toEqual(may);
    expect(input.slos.map((slo) => slo.name)).toEqual(['catalog-latency', 'checkout-availability']);
    const checkout = entry('checkout-availability', input);
    expect(checkout).toMatchObject({ service: 'checkout', objective: 0.999, sli: { kind: 'availability' }, goodEvents: 31 * 24 * 1000, badEvents: 700 });
    expect(entry('catalog-latency', input)).toMatchObject({ sli: { kind: 'latency', thresholdMs: 300 }, goodEvents: 31 * 24 * 2000, badEvents: 31 * 24 * 4 });
  });

  it('reads only the named SLOs, in the order given, and names the known ones for an unknown one', () => {
    expect(readSloReportInput(store, { ...may, slos: ['checkout-availability'] }).slos.map((slo) => slo.name)).toEqual(['checkout-availability']);
    expect(() => readSloReportInput(store, { ...may, slos: ['checkout-availability', 'checkout-latency'] })).toThrow(
      new ReportInputError('unknown SLO "checkout-latency"; known: catalog-latency, checkout-availability'),
    );
  });

  it('draws the burn-down from the cumulative counts, within maxBurnDownPoints', () => {
    const burnDown = entry('checkout-availability', readSloReportInput(store, { ...may, maxBurnDownPoints: 50 })).burnDown;
    expect(burnDown.length).toBeLessThanOrEqual(50);
    expect(burnDown[0]).toEqual({ atMs: STORE_FROM_MS, budgetRemaining: 1 });
    const last = burnDown.at(-1);
    expect(last?.atMs).toBe(STORE_TO_MS);
    // The last point is the period's own figure: 1 − (700 / 744700) / 0.001.
    expect(last?.budgetRemaining).toBeCloseTo(1 - 700 / (744_000 + 700) / 0.001, 9);
    // Untouched until the burst on day 10, then the lowest point right after it.
    const beforeBurst = burnDown.filter((point) => point.atMs <= at(10, 3));
    expect(beforeBurst.every((point) => point.budgetRemaining === 1)).toBe(true);
    const lowest = burnDown.reduce((low, point) => (point.budgetRemaining < low.budgetRemaining ? point : low));
    expect(lowest.atMs).toBeGreaterThan(at(10, 4));
    expect(lowest.atMs).toBeLessThanOrEqual(at(10, 4) + 16 * 3_600_000);
    expect(lowest.budgetRemaining).toBeLessThan(0);
  });

  it('keeps the default burn-down within 200 points and has none without data', () => {
    expect(entry('catalog-latency').burnDown.length).toBeLessThanOrEqual(200);
    const june = readSloReportInput(store, { fromMs: STORE_TO_MS, toMs: STORE_TO_MS + 86_400_000, label: 'June' });
    expect(june.slos.every((slo) => slo.burnDown.length === 0 && slo.goodEvents === 0 && slo.incidents.length === 0)).toBe(true);
  });

  it('pairs the alert edges into incidents with the budget each spent', () => {
    const incidents = entry('checkout-availability').incidents;
    const budget = (744_000 + 700) * (1 - 0.999);
    expect(incidents).toEqual([
      // Resolved at 00:30 on day 0, fired in April: starts at the period start; no bad events in it.
      { severity: 'page', startMs: STORE_FROM_MS, endMs: at(0, 0, 30), budgetSpent: 0 },
      // 03:05–04:20 covers the rollups starting at 04:00 (200 bad), at the rollup resolution.
      { severity: 'page', startMs: at(10, 3, 5), endMs: at(10, 4, 20), budgetSpent: 200 / budget },
      // Still firing: to the period end.
      { severity: 'ticket', startMs: at(10, 3, 30), endMs: undefined, budgetSpent: 200 / budget },
    ]);
    expect(entry('catalog-latency').incidents).toEqual([]);
  });

  it("keeps the anomaly starts and regressions on the SLO's service and operations", () => {
    const checkout = entry('checkout-availability');
    expect(checkout.anomalies).toEqual([
      { atMs: at(10, 3, 1), operation: 'POST /checkout', signal: 'error_ratio', unit: 'ratio', observed: 0.41, expected: 0.001, score: 0.99 },
    ]);
    expect(checkout.regressions.map((r) => [r.operation, r.outcome, r.version])).toEqual([['POST /checkout', 'regression', '1.5.0']]);
    // No operations in the selector: every operation of the service.
    expect(entry('catalog-latency').anomalies.map((a) => a.operation)).toEqual(['GET /products/:id']);
    expect(entry('catalog-latency').regressions).toEqual([]);
  });

  it('reports the latest state of each recommendation, open ones on the operations or the whole service', () => {
    const recommendations = entry('checkout-availability').recommendations;
    expect(recommendations.map((r) => [r.id, r.impact.perRequestMs]).sort()).toEqual([
      ['r-gc', 0],
      ['r-n1', 84.25],
    ]);
    expect(entry('catalog-latency').recommendations).toEqual([]);
  });

  it('keeps a recommendation that opened before the period and is still open, and leaves out those opened after it', () => {
    // r-n1's last event is on day 15 and r-gc's on day 16: both open all through the last week of May.
    const lastWeek = { fromMs: at(24, 0), toMs: STORE_TO_MS, label: 'last week of May' };
    expect(entry('checkout-availability', readSloReportInput(store, lastWeek)).recommendations.map((r) => r.id).sort()).toEqual(['r-gc', 'r-n1']);
    // Up to day 10: r-n1 is in its first state (POST /checkout, 40 ms), r-gc did not exist yet, r-seq was resolved on day 9.
    const firstDays = { fromMs: STORE_FROM_MS, toMs: at(10, 0), label: 'early May' };
    expect(entry('checkout-availability', readSloReportInput(store, firstDays)).recommendations.map((r) => [r.id, r.impact.perRequestMs])).toEqual([['r-n1', 40]]);
  });

  it('reports progress once per SLO', () => {
    const calls: [number, number][] = [];
    readSloReportInput(store, { ...may, onProgress: (done, total) => calls.push([done, total]) });
    expect(calls).toEqual([
      [0, 2],
      [1, 2],
      [2, 2],
    ]);
  });

  it('gives the report the figures the counts imply', () => {
    const report = buildSloReport(readSloReportInput(store, may));
    expect(report.slos.map((slo) => [slo.name, slo.status])).toEqual([
      ['checkout-availability', 'at-risk'],
      ['catalog-latency', 'ok'],
    ]);
    expect(report.slos[0]?.budgetConsumed).toBeCloseTo(700 / 744_700 / 0.001, 9);
  });

  it('keys series as the store does (sorted keys)', () => {
    expect(canonicalLabels({ service: 'checkout', 'http.route': '/a' })).toBe('{"http.route":"/a","service":"checkout"}');
    expect(store.sloSeries(CHECKOUT.name).map((row) => row.series)).toEqual([canonicalLabels({ service: 'checkout' })]);
    expect(store.sloSeries(CATALOG.name)).toHaveLength(1);
  });
});
