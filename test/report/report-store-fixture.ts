import type { AnomalyEvent } from '../../src/engine/anomaly-event';
import type { SloAlertEvent } from '../../src/engine/slo-alert-event';
import type { Recommendation } from '../../src/recommend/recommendation';
import type { RegressionEvent } from '../../src/regression/regression-event';
import { SlowatchStore } from '../../src/storage/slowatch-store';
import type { SloRollupRow, StoredEvent } from '../../src/storage/store-records';
import { objectiveSpec } from '../helpers/objectives';

/**
 * A fixed store over May 2024, written into a real SQLite file
 * (`SlowatchStore`): the input of the store reader's tests and of the
 * report's golden files over a store.
 *
 * - `checkout-availability` (service checkout, operations `POST /checkout`
 *   and `GET /cart*`, 99.9 %): 1000 good events an hour; on day 10 an error
 *   burst (500 bad at 03:00, 200 at 04:00); a page incident 03:05–04:20, a
 *   ticket still firing from 03:30, and a page resolve at 00:30 on day 0
 *   whose firing was in April.
 * - `catalog-latency` (service catalog, every operation, latency < 300 ms,
 *   99 %): 2000 good and 4 bad events an hour, no incident.
 * - events for other operations, other services, end edges, outdated and
 *   resolved recommendations, and events in April, which the report leaves out.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** 2024-05-01T00:00:00Z */
export const STORE_FROM_MS = Date.UTC(2024, 4, 1);
export const STORE_TO_MS = STORE_FROM_MS + 31 * DAY_MS;
export const at = (day: number, hour: number, minute = 0): number => STORE_FROM_MS + day * DAY_MS + hour * HOUR_MS + minute * 60_000;

export const CHECKOUT = objectiveSpec({
  name: 'checkout-availability',
  service: 'checkout',
  selector: { spanKind: 'server', operations: ['POST /checkout', 'GET /cart*'], attributes: {} },
  objective: 0.999,
});

export const CATALOG = objectiveSpec({
  name: 'catalog-latency',
  service: 'catalog',
  sli: { kind: 'latency', thresholdMs: 300 },
  objective: 0.99,
});

const CHECKOUT_SERIES = '{"service":"checkout"}';
const CATALOG_SERIES = '{"service":"catalog"}';

/** Hourly rollups for May (and a day of April, outside the period). */
function rollups(): SloRollupRow[] {
  const rows: SloRollupRow[] = [];
  for (let hour = -24; hour < 31 * 24; hour++) {
    const startMs = STORE_FROM_MS + hour * HOUR_MS;
    const bad = startMs === at(10, 3) ? 500 : startMs === at(10, 4) ? 200 : 0;
    rows.push({ slo: CHECKOUT.name, series: CHECKOUT_SERIES, service: 'checkout', startMs, intervalMs: HOUR_MS, good: 1000, bad });
    rows.push({ slo: CATALOG.name, series: CATALOG_SERIES, service: 'catalog', startMs, intervalMs: HOUR_MS, good: 2000, bad: 4 });
  }
  return rows;
}

function alert(severity: SloAlertEvent['severity'], state: SloAlertEvent['state'], atMs: number): StoredEvent {
  const event: SloAlertEvent = {
    slo: CHECKOUT.name,
    labels: { service: 'checkout' },
    severity,
    state,
    atMs,
    shortWindow: severity === 'page' ? '5m' : '2h',
    longWindow: severity === 'page' ? '1h' : '1d',
    shortBurnRate: 20,
    longBurnRate: 15,
    factor: severity === 'page' ? 14.4 : 3,
    errorBudgetRemaining: 0.5,
  };
  return { atMs, kind: 'slo_alert', slo: CHECKOUT.name, service: 'checkout', operation: null, severity, state, payload: JSON.stringify(event) };
}

function anomaly(service: string, operation: string, edge: AnomalyEvent['edge'], atMs: number): StoredEvent {
  const event: AnomalyEvent = {
    edge,
    key: { service, operation, spanKind: 'server' },
    signal: 'error_ratio',
    unit: 'ratio',
    atMs,
    startedAtMs: atMs - 60_000,
    endedAtMs: edge === 'end' ? atMs : undefined,
    observed: 0.41,
    expected: { low: 0, center: 0.001, high: 0.01 },
    score: 0.99,
    spanCount: 1200,
    traceIds: ['4bf92f3577b34da6a3ce929d0e0e4736'],
    recent: [0.001, 0.41],
  };
  return { atMs, kind: 'anomaly', slo: null, service, operation, severity: null, state: edge, payload: JSON.stringify(event) };
}

function regression(operation: string, atMs: number): StoredEvent {
  const event: RegressionEvent = {
    outcome: 'regression',
    classification: 'High',
    critical: false,
    baselineVersion: '1.4.0',
    version: '1.5.0',
    canary: false,
    effectSize: 1.45,
    pValue: 0.00002,
    confidenceInterval: [100, 140],
    estimateMs: 120,
    controlCount: 500,
    experimentCount: 480,
    controlMeanMs: 260,
    experimentMeanMs: 377,
    atMs,
    deployedAtMs: atMs - 600_000,
    service: 'checkout',
    operation,
    spanKind: 'server',
  };
  return { atMs, kind: 'regression', slo: null, service: 'checkout', operation, severity: event.outcome, state: null, payload: JSON.stringify(event) };
}

function recommendation(id: string, operation: string, atMs: number, overrides: Partial<Recommendation> = {}): StoredEvent {
  const event: Recommendation = {
    id,
    type: 'n_plus_one_db',
    title: `N+1 queries on ${operation || 'the service'}`,
    advice: 'Load the rows in one query.',
    service: 'checkout',
    operation,
    severity: 'high',
    evidence: { calls: 12 },
    exampleTraceIds: [],
    impact: { perRequestMs: 84.25, latencyShare: 0.4, affectedShare: 0.5 },
    effort: 'low',
    risk: 'low',
    priority: 10,
    occurrences: 40,
    firstSeenMs: atMs - DAY_MS,
    lastSeenMs: atMs,
    status: 'open',
    ...overrides,
  };
  return { atMs, kind: 'recommendation', slo: null, service: 'checkout', operation, severity: event.severity, state: event.status, payload: JSON.stringify(event) };
}

function events(): StoredEvent[] {
  return [
    // April: outside the period.
    alert('page', 'firing', at(-1, 12)),
    anomaly('checkout', 'POST /checkout', 'start', at(-1, 12)),
    // Day 0: the resolve of an April page.
    alert('page', 'resolved', at(0, 0, 30)),
    // Day 10: the error burst.
    alert('page', 'firing', at(10, 3, 5)),
    alert('ticket', 'firing', at(10, 3, 30)),
    alert('page', 'resolved', at(10, 4, 20)),
    anomaly('checkout', 'POST /checkout', 'start', at(10, 3, 2)),
    anomaly('checkout', 'POST /checkout', 'end', at(10, 5)),
    anomaly('checkout', 'GET /health', 'start', at(10, 3, 2)),
    anomaly('catalog', 'GET /products/:id', 'start', at(12, 9)),
    // Day 20: the slower deploy.
    regression('POST /checkout', at(20, 1, 30)),
    regression('GET /health', at(20, 1, 30)),
    // Recommendations: the newest event of an id is the one reported.
    recommendation('r-n1', 'POST /checkout', at(5, 0), { impact: { perRequestMs: 40, latencyShare: 0.2, affectedShare: 0.5 } }),
    recommendation('r-n1', 'GET /cart/items', at(15, 0)),
    recommendation('r-gc', '', at(16, 0), { type: 'gc_pressure', title: 'GC pressure: 18 % of the time in garbage collection', severity: 'medium', impact: { perRequestMs: 0, latencyShare: 0, affectedShare: 1 } }),
    recommendation('r-seq', 'POST /checkout', at(6, 0), { type: 'sequential_calls', title: 'Sequential calls' }),
    recommendation('r-seq', 'POST /checkout', at(9, 0), { type: 'sequential_calls', title: 'Sequential calls', status: 'resolved', resolvedAtMs: at(9, 0) }),
    recommendation('r-health', 'GET /health', at(7, 0)),
  ];
}

/** Writes the fixture into a new store at `path` and closes it. */
export function writeReportStoreFixture(path: string): void {
  const store = SlowatchStore.open({ path });
  try {
    store.writeObjectives([CHECKOUT, CATALOG], STORE_FROM_MS);
    store.write({ sloRollups: rollups(), events: events() });
  } finally {
    store.close();
  }
}
