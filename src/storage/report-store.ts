import type { KeyRollupRow, StoredEvent, StoredEventKind, StoredObjective } from './store-records';

/** Good and bad events summed over rows. */
export interface EventCounts {
  readonly good: number;
  readonly bad: number;
}

/** Rollup rows of one SLO summed per bucket of `bucketMs` (aligned to the epoch), for burn-down charts. */
export interface CountsBucket extends EventCounts {
  readonly startMs: number;
}

export interface SloRangeQuery {
  readonly slo: string;
  /** Rows whose interval starts in [fromMs, toMs). */
  readonly fromMs: number;
  readonly toMs: number;
  /** Only this series (canonical labels JSON); every series of the SLO when absent. */
  readonly series?: string;
}

export interface EventQuery {
  /** Events with atMs in [fromMs, toMs). */
  readonly fromMs: number;
  readonly toMs: number;
  readonly kinds?: readonly StoredEventKind[];
  readonly slo?: string;
  readonly service?: string;
  readonly operation?: string;
  /** Most rows returned, newest first. @default 1000 */
  readonly limit?: number;
}

export interface KeyRollupQuery {
  readonly service: string;
  /** Every operation of the service when absent. */
  readonly operation?: string;
  /**
   * Only this span kind (with `operation`): the whole primary key is then
   * bound, so the read touches only the rows it returns. Every kind when absent.
   */
  readonly spanKind?: string;
  readonly fromMs: number;
  readonly toMs: number;
  /** Most rows returned (the newest). @default 2000 */
  readonly limit?: number;
}

/**
 * What reports and the report pages read from the store. Every query is
 * bounded (SQL aggregates or a row limit), so a large store answers fast.
 * Implemented by `SlowatchStore` (SQLite); readers depend on this interface only.
 */
export interface ReportStore {
  /** Every SLO definition the store knows, by name. */
  objectives(): readonly StoredObjective[];
  /** The series an SLO has rows for, with their service. */
  sloSeries(slo: string): readonly { readonly series: string; readonly service: string }[];
  /** Good and bad events summed over the rows in range. */
  sloCounts(query: SloRangeQuery): EventCounts;
  /** The rows in range summed per bucket, oldest first (empty buckets absent). */
  sloCountsByBucket(query: SloRangeQuery & { readonly bucketMs: number }): readonly CountsBucket[];
  /** Newest first. */
  events(query: EventQuery): readonly StoredEvent[];
  /** Distinct (service, operation, span kind) keys with rollups, sorted. */
  keys(): readonly { readonly service: string; readonly operation: string; readonly spanKind: string }[];
  /** Oldest first, the newest `limit` rows in range. */
  keyRollups(query: KeyRollupQuery): readonly KeyRollupRow[];
  /** Earliest and latest rollup start times, or undefined for an empty store. */
  extent(): { readonly fromMs: number; readonly toMs: number } | undefined;
}
