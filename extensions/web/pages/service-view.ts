import type { ReportStore } from '../../../src/storage/report-store';
import { eventViewOf } from './event-query';
import type { EventView } from './event-query';

/*
 * One service (`/services/{service}`, `GET /api/v1/services/{service}`):
 * per operation (span kind included), the p95 latency of each rollup
 * interval over the window with the band the baseline expected, and the
 * service's anomalies and regressions over the same window.
 *
 * Queries: keys() once, keyRollups once per operation (at most
 * MAX_SERVICE_OPERATIONS, each at most MAX_ROLLUPS_PER_OPERATION rows) and
 * events twice (capped). Memory: about 60 bytes per point, so a page
 * holds at most about 50 × 1440 × 60 B ≈ 4 MB while it is built.
 */

/** Operations shown (in the store's sorted key order); the rest are only counted (`operationsOmitted`). */
export const MAX_SERVICE_OPERATIONS = 50;
/** Points per operation: one a minute over 24 h. The chart decimates further. */
export const MAX_ROLLUPS_PER_OPERATION = 1440;
/** Anomalies and regressions listed, each. */
export const MAX_SERVICE_EVENTS = 100;

export interface LatencyPoint {
  /** End of the rollup interval (Unix ms). */
  readonly endMs: number;
  readonly p95Ms: number | null;
  readonly expectedLowMs: number | null;
  readonly expectedCenterMs: number | null;
  readonly expectedHighMs: number | null;
}

export interface OperationLatency {
  readonly operation: string;
  readonly spanKind: string;
  /** Oldest first. */
  readonly points: readonly LatencyPoint[];
  /** Spans over the window. */
  readonly count: number;
  readonly errors: number;
}

export interface ServiceView {
  readonly service: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly operations: readonly OperationLatency[];
  /** Operations beyond MAX_SERVICE_OPERATIONS, not shown. */
  readonly operationsOmitted: number;
  /** Newest first. */
  readonly anomalies: readonly EventView[];
  readonly regressions: readonly EventView[];
}

/** The service's view over [fromMs, toMs), or undefined when the store has no rollups for it. */
export function readServiceView(store: ReportStore, service: string, fromMs: number, toMs: number): ServiceView | undefined {
  const keys = store.keys().filter((key) => key.service === service);
  if (keys.length === 0) return undefined;
  const shown = keys.slice(0, MAX_SERVICE_OPERATIONS);
  // One read per key, bound on the whole primary key: it touches only the rows it returns.
  const operations: OperationLatency[] = [];
  for (const { operation, spanKind } of shown) {
    const own = store.keyRollups({ service, operation, spanKind, fromMs, toMs, limit: MAX_ROLLUPS_PER_OPERATION });
    operations.push({
      operation,
      spanKind,
      points: own.map((row) => ({
        endMs: row.endMs,
        p95Ms: row.p95Ms,
        expectedLowMs: row.p95ExpectedLow,
        expectedCenterMs: row.p95ExpectedCenter,
        expectedHighMs: row.p95ExpectedHigh,
      })),
      count: own.reduce((sum, row) => sum + row.count, 0),
      errors: own.reduce((sum, row) => sum + row.errors, 0),
    });
  }
  const events = (kind: 'anomaly' | 'regression'): EventView[] => store.events({ fromMs, toMs, kinds: [kind], service, limit: MAX_SERVICE_EVENTS }).map(eventViewOf);
  return { service, fromMs, toMs, operations, operationsOmitted: keys.length - shown.length, anomalies: events('anomaly'), regressions: events('regression') };
}
