import type { AnomalyEvent } from '../../../src/engine/anomaly-event';
import type { SloAlertEvent } from '../../../src/engine/slo-alert-event';
import type { RegressionEvent } from '../../../src/regression/regression-event';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../../src/slo/durations';
import type { ObjectiveSpec } from '../../../src/slo/objective';
import type { KeyRollupRow, SloRollupRow, StoredEvent } from '../../../src/storage/store-records';
import { objectiveSpec } from '../../helpers/objectives';
import { recommendation } from './recommendation-fixtures';

/*
 * A store's worth of rows for the report pages, as the gateway would have
 * written them over 30 days ending at NOW, one rollup every 5 minutes:
 *
 * - checkout-availability (99.9 %): 1 bad in 2000 for 30 days, then an
 *   error burst over the last hour (500 bad in 2000): every burn-rate rule
 *   fires, budget at risk; two alerts still firing, one earlier incident;
 * - catalog-latency (99 %, latency < 300 ms): never a bad event;
 * - search-availability (99 %): 10 bad in 100 throughout: exhausted;
 * - checkout's POST /checkout p95 over the last day against its band, an
 *   anomaly, a regression and a recommendation.
 *
 * The expected figures are worked out by hand in the tests from these
 * numbers (see CHECKOUT below), not by the code under test.
 */

/** 2024-06-01T12:00:00Z, aligned to the 5-minute rollups. */
export const NOW = Date.UTC(2024, 5, 1, 12);
export const STEP_MS = 5 * MINUTE_MS;
/** Rollups per SLO: 30 days of 5 minutes. */
export const ROWS = (30 * DAY_MS) / STEP_MS;
/** Rows of the error burst: the last hour. */
export const BURST_ROWS = 12;

/** Hand-computed figures of checkout-availability over its 30-day period. */
export const CHECKOUT = {
  total: ROWS * 2000,
  bad: (ROWS - BURST_ROWS) * 1 + BURST_ROWS * 500,
} as const;

const series = (service: string): string => JSON.stringify({ service });

export function fixtureObjectives(): ObjectiveSpec[] {
  return [
    objectiveSpec({ name: 'checkout-availability', service: 'checkout', objective: 0.999 }),
    objectiveSpec({ name: 'catalog-latency', service: 'catalog', objective: 0.99, sli: { kind: 'latency', thresholdMs: 300 } }),
    objectiveSpec({ name: 'search-availability', service: 'search', objective: 0.99 }),
  ];
}

export function fixtureSloRows(): SloRollupRow[] {
  const rows: SloRollupRow[] = [];
  for (let i = 1; i <= ROWS; i++) {
    const startMs = NOW - i * STEP_MS;
    const burst = i <= BURST_ROWS;
    const row = { startMs, intervalMs: STEP_MS };
    rows.push({ ...row, slo: 'checkout-availability', series: series('checkout'), service: 'checkout', good: burst ? 1500 : 1999, bad: burst ? 500 : 1 });
    rows.push({ ...row, slo: 'catalog-latency', series: series('catalog'), service: 'catalog', good: 500, bad: 0 });
    rows.push({ ...row, slo: 'search-availability', series: series('search'), service: 'search', good: 90, bad: 10 });
  }
  return rows;
}

/** POST /checkout over the last day: p95 120 ms within the band 90..160, then 480 ms in the last hour; the band is learning for the first hour. */
export function fixtureKeyRows(): KeyRollupRow[] {
  const rows: KeyRollupRow[] = [];
  const perDay = DAY_MS / STEP_MS;
  for (let i = perDay - 1; i >= 0; i--) {
    const endMs = NOW - i * STEP_MS;
    const learning = i >= perDay - 12;
    const slow = i < BURST_ROWS;
    rows.push({
      service: 'checkout',
      operation: 'POST /checkout',
      spanKind: 'server',
      endMs,
      intervalMs: STEP_MS,
      count: 2000,
      errors: slow ? 500 : 1,
      p50Ms: slow ? 300 : 80,
      p95Ms: slow ? 480 : 120,
      p99Ms: slow ? 700 : 180,
      errorRatio: slow ? 0.25 : 0.0005,
      throughput: 2000 / 300,
      p95ExpectedLow: learning ? null : 90,
      p95ExpectedCenter: learning ? null : 120,
      p95ExpectedHigh: learning ? null : 160,
    });
  }
  return rows;
}

function alert(atMs: number, severity: 'page' | 'ticket', state: 'firing' | 'resolved'): StoredEvent {
  const payload: SloAlertEvent = {
    slo: 'checkout-availability',
    labels: { service: 'checkout' },
    severity,
    state,
    atMs,
    shortWindow: '5m',
    longWindow: '1h',
    shortBurnRate: 250,
    longBurnRate: 250,
    factor: 14.4,
    errorBudgetRemaining: 0.2,
  };
  return { atMs, kind: 'slo_alert', slo: 'checkout-availability', service: 'checkout', operation: null, severity, state, payload: JSON.stringify(payload) };
}

export const ANOMALY_AT = NOW - 50 * MINUTE_MS;
export const REGRESSION_AT = NOW - 2 * HOUR_MS;

export function fixtureEvents(): StoredEvent[] {
  const anomaly: AnomalyEvent = {
    edge: 'start',
    key: { service: 'checkout', operation: 'POST /checkout', spanKind: 'server' },
    signal: 'latency_p95',
    unit: 'ms',
    atMs: ANOMALY_AT,
    startedAtMs: ANOMALY_AT - STEP_MS,
    endedAtMs: undefined,
    observed: 480,
    expected: { low: 90, center: 120, high: 160 },
    score: 0.99,
    spanCount: 2000,
    traceIds: ['4bf92f3577b34da6a3ce929d0e0e4736'],
    recent: [120, 480],
  };
  const regression: RegressionEvent = {
    outcome: 'regression',
    classification: 'High',
    critical: true,
    baselineVersion: '1.4.0',
    version: '1.5.0',
    canary: false,
    effectSize: 1.6,
    pValue: 0.00001,
    confidenceInterval: [300, 400],
    estimateMs: 360,
    controlCount: 500,
    experimentCount: 500,
    controlMeanMs: 110,
    experimentMeanMs: 470,
    atMs: REGRESSION_AT,
    deployedAtMs: REGRESSION_AT - 10 * MINUTE_MS,
    service: 'checkout',
    operation: 'POST /checkout',
    spanKind: 'server',
  };
  const advice = recommendation({ id: 'r-n1', service: 'checkout', operation: 'POST /checkout', title: 'N+1 queries in POST /checkout <items>' });
  return [
    alert(NOW - 10 * DAY_MS, 'page', 'firing'),
    alert(NOW - 10 * DAY_MS + 30 * MINUTE_MS, 'page', 'resolved'),
    alert(NOW - 55 * MINUTE_MS, 'page', 'firing'),
    alert(NOW - 50 * MINUTE_MS, 'ticket', 'firing'),
    { atMs: ANOMALY_AT, kind: 'anomaly', slo: null, service: 'checkout', operation: 'POST /checkout', severity: null, state: 'start', payload: JSON.stringify(anomaly) },
    { atMs: REGRESSION_AT, kind: 'regression', slo: null, service: 'checkout', operation: 'POST /checkout', severity: 'regression', state: null, payload: JSON.stringify(regression) },
    { atMs: NOW - 30 * MINUTE_MS, kind: 'recommendation', slo: null, service: 'checkout', operation: 'POST /checkout', severity: 'high', state: 'open', payload: JSON.stringify(advice) },
  ];
}
