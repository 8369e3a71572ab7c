import type { CountsBucket, EventCounts, EventQuery, KeyRollupQuery, ReportStore, SloRangeQuery } from '../../../src/storage/report-store';
import type { KeyRollupRow, SloRollupRow, StoredEvent, StoredObjective } from '../../../src/storage/store-records';
import type { ObjectiveSpec } from '../../../src/slo/objective';

/**
 * A `ReportStore` over arrays, with the semantics the interface documents
 * as SlowatchStore implements them (SLO rows by start in [from, to), key
 * rollups by end in (from, to], the newest `limit` oldest first; events
 * newest first and limited). Counts every call by method, so tests can
 * check that a request makes a bounded number of queries.
 */
export class MemoryReportStore implements ReportStore {
  readonly calls = new Map<string, number>();
  private readonly specs: ObjectiveSpec[] = [];
  private readonly sloRows: SloRollupRow[] = [];
  private readonly keyRows: KeyRollupRow[] = [];
  private readonly storedEvents: StoredEvent[] = [];

  addObjective(spec: ObjectiveSpec): this {
    this.specs.push(spec);
    return this;
  }

  addSloRows(rows: readonly SloRollupRow[]): this {
    this.sloRows.push(...rows);
    return this;
  }

  addKeyRows(rows: readonly KeyRollupRow[]): this {
    this.keyRows.push(...rows);
    return this;
  }

  addEvents(events: readonly StoredEvent[]): this {
    for (const event of events) this.storedEvents.push({ ...event, id: this.storedEvents.length + 1 });
    return this;
  }

  /** Calls since the last reset, all methods together. */
  totalCalls(): number {
    return [...this.calls.values()].reduce((sum, count) => sum + count, 0);
  }

  resetCalls(): void {
    this.calls.clear();
  }

  private count(method: string): void {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
  }

  private rowsOf(query: SloRangeQuery): SloRollupRow[] {
    return this.sloRows.filter(
      (row) => row.slo === query.slo && row.startMs >= query.fromMs && row.startMs < query.toMs && (query.series === undefined || row.series === query.series),
    );
  }

  objectives(): readonly StoredObjective[] {
    this.count('objectives');
    return [...this.specs].sort((a, b) => (a.name < b.name ? -1 : 1)).map((spec) => ({ spec, updatedMs: 0 }));
  }

  sloSeries(slo: string): readonly { readonly series: string; readonly service: string }[] {
    this.count('sloSeries');
    const seen = new Map<string, string>();
    for (const row of this.sloRows) if (row.slo === slo) seen.set(row.series, row.service);
    return [...seen].map(([series, service]) => ({ series, service }));
  }

  sloCounts(query: SloRangeQuery): EventCounts {
    this.count('sloCounts');
    let good = 0;
    let bad = 0;
    for (const row of this.rowsOf(query)) {
      good += row.good;
      bad += row.bad;
    }
    return { good, bad };
  }

  sloCountsByBucket(query: SloRangeQuery & { readonly bucketMs: number }): readonly CountsBucket[] {
    this.count('sloCountsByBucket');
    const buckets = new Map<number, { good: number; bad: number }>();
    for (const row of this.rowsOf(query)) {
      const startMs = Math.floor(row.startMs / query.bucketMs) * query.bucketMs;
      const bucket = buckets.get(startMs) ?? { good: 0, bad: 0 };
      bucket.good += row.good;
      bucket.bad += row.bad;
      buckets.set(startMs, bucket);
    }
    return [...buckets].sort(([a], [b]) => a - b).map(([startMs, counts]) => ({ startMs, ...counts }));
  }

  events(query: EventQuery): readonly StoredEvent[] {
    this.count('events');
    return this.storedEvents
      .filter(
        (event) =>
          event.atMs >= query.fromMs &&
          event.atMs < query.toMs &&
          (query.kinds === undefined || query.kinds.includes(event.kind)) &&
          (query.slo === undefined || event.slo === query.slo) &&
          (query.service === undefined || event.service === query.service) &&
          (query.operation === undefined || event.operation === query.operation),
      )
      .sort((a, b) => b.atMs - a.atMs || (b.id ?? 0) - (a.id ?? 0))
      .slice(0, query.limit ?? 1000);
  }

  keys(): readonly { readonly service: string; readonly operation: string; readonly spanKind: string }[] {
    this.count('keys');
    const keys = new Map<string, { service: string; operation: string; spanKind: string }>();
    for (const row of this.keyRows) keys.set(JSON.stringify([row.service, row.operation, row.spanKind]), { service: row.service, operation: row.operation, spanKind: row.spanKind });
    return [...keys.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, key]) => key);
  }

  keyRollups(query: KeyRollupQuery): readonly KeyRollupRow[] {
    this.count('keyRollups');
    const rows = this.keyRows
      .filter((row) => row.service === query.service && (query.operation === undefined || row.operation === query.operation) && (query.spanKind === undefined || row.spanKind === query.spanKind))
      .filter((row) => row.endMs > query.fromMs && row.endMs <= query.toMs)
      .sort((a, b) => a.endMs - b.endMs);
    return rows.slice(Math.max(0, rows.length - (query.limit ?? 2000)));
  }

  extent(): { readonly fromMs: number; readonly toMs: number } | undefined {
    this.count('extent');
    if (this.sloRows.length === 0) return undefined;
    const starts = this.sloRows.map((row) => row.startMs);
    return { fromMs: Math.min(...starts), toMs: Math.max(...starts) };
  }
}
