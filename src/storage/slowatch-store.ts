import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import type { ObjectiveSpec } from '../slo/objective';
import type { CountsBucket, EventCounts, EventQuery, KeyRollupQuery, ReportStore, SloRangeQuery } from './report-store';
import type { KeyRollupRow, SloRollupRow, StoredEvent, StoredEventKind, StoredObjective } from './store-records';
import { inspectStoreFile } from './store-file-check';
import { applyMigrations, checkMigrationOrder, latestVersion, STORE_MIGRATIONS } from './store-migrations';
import type { StoreMigration } from './store-migrations';
import { WriterLock } from './writer-lock';
import { PersistentQueueTable } from './persistent-queue';
import { StoreOpenError } from './store-open-error';

export interface SlowatchStoreOptions {
  /** The database file; relative paths are relative to the working directory. Its directory is created when missing (not when read-only). */
  readonly path: string;
  /**
   * Read-only (reports, the CLI): the file must already be a slowatch store
   * at the current schema; nothing is created, migrated or written.
   * @default false
   */
  readonly readonly?: boolean;
  /** How long a statement waits for another process's write lock. @default 5000 */
  readonly busyTimeoutMs?: number;
  /** The schema steps. @default STORE_MIGRATIONS (tests pass a longer list to exercise an upgrade) */
  readonly migrations?: readonly StoreMigration[];
}

/** One engine's serialized state, as saved. */
export interface SnapshotEntry {
  /** `<kind>/<processor id>`, e.g. `slo/slo`, `baseline/baseline`. */
  readonly component: string;
  /** The layout of `data`, decided by the writer; the reader skips formats it does not know. */
  readonly format: number;
  readonly data: Uint8Array;
}

export interface StoredSnapshot {
  readonly format: number;
  readonly takenMs: number;
  readonly data: Buffer;
}

/** What one `write` stores, in one transaction. */
export interface StoreBatch {
  /** Added to the existing row of the same (slo, series, startMs), if any. */
  readonly sloRollups?: readonly SloRollupRow[];
  /** Replace the existing row of the same key and endMs, if any. */
  readonly keyRollups?: readonly KeyRollupRow[];
  readonly events?: readonly StoredEvent[];
}

export interface RetentionSettings {
  /** SLO and key rollups whose interval started longer ago than this are deleted. */
  readonly rollupsMs: number;
  /** Events older than this are deleted. */
  readonly eventsMs: number;
}

export interface PruneResult {
  /** SLO and key rollup rows deleted. */
  readonly rollups: number;
  readonly events: number;
}

/**
 * How long a statement waits for a lock. A writer is the only writer (WriterLock) and WAL readers do not
 * block it, so it waits little: its thread is the gateway's or the host application's event loop, and a
 * write that cannot go through is retried at the next snapshot interval. A reader (`slowatch report`) may wait.
 */
const DEFAULT_WRITER_BUSY_TIMEOUT_MS = 100;
const DEFAULT_READER_BUSY_TIMEOUT_MS = 5_000;
const DEFAULT_EVENT_LIMIT = 1_000;
const DEFAULT_KEY_ROLLUP_LIMIT = 2_000;

const KEY_ROLLUP_COLUMNS = `service, operation, span_kind AS spanKind, end_ms AS endMs, interval_ms AS intervalMs, count, errors,
  p50_ms AS p50Ms, p95_ms AS p95Ms, p99_ms AS p99Ms, error_ratio AS errorRatio, throughput,
  p95_expected_low AS p95ExpectedLow, p95_expected_center AS p95ExpectedCenter, p95_expected_high AS p95ExpectedHigh`;

const EVENT_COLUMNS = 'id, at_ms AS atMs, kind, slo, service, operation, severity, state, payload';

const HOUR_MS = 3_600_000;

/** Sums and per-bucket sums of one SLO counts table (the per-interval rows, or their hourly sums), over all series or one. */
function countStatements(db: Database.Database, table: 'slo_rollups' | 'slo_hourly', time: 'start_ms' | 'hour_ms') {
  type Sums = { good: number | null; bad: number | null };
  // A JS number is bound as REAL, hence the CAST: the bucket is the time minus its remainder, epoch-aligned.
  const bucket = `${time} - (${time} % CAST(? AS INTEGER))`;
  return {
    all: db.prepare<[string, number, number], Sums>(`SELECT sum(good) AS good, sum(bad) AS bad FROM ${table} WHERE slo = ? AND ${time} >= ? AND ${time} < ?`),
    series: db.prepare<[string, string, number, number], Sums>(
      `SELECT sum(good) AS good, sum(bad) AS bad FROM ${table} WHERE slo = ? AND series = ? AND ${time} >= ? AND ${time} < ?`,
    ),
    allBuckets: db.prepare<[number, string, number, number], CountsBucket>(
      `SELECT ${bucket} AS startMs, sum(good) AS good, sum(bad) AS bad FROM ${table} WHERE slo = ? AND ${time} >= ? AND ${time} < ? GROUP BY 1`,
    ),
    seriesBuckets: db.prepare<[number, string, string, number, number], CountsBucket>(
      `SELECT ${bucket} AS startMs, sum(good) AS good, sum(bad) AS bad FROM ${table} WHERE slo = ? AND series = ? AND ${time} >= ? AND ${time} < ? GROUP BY 1`,
    ),
  };
}

type CountStatements = ReturnType<typeof countStatements>;

/** The statements every store uses, prepared once at open. */
function prepareStatements(db: Database.Database, readonly: boolean) {
  const read = {
    objectives: db.prepare<[], { spec: string; updatedMs: number }>('SELECT spec, updated_ms AS updatedMs FROM objectives ORDER BY name'),
    loadSnapshot: db.prepare<[string], { format: number; takenMs: number; data: Buffer }>(
      'SELECT format, taken_ms AS takenMs, data FROM snapshots WHERE component = ?',
    ),
    sloSeries: db.prepare<[string], { series: string; service: string }>('SELECT series, service FROM slo_series WHERE slo = ? ORDER BY series'),
    minuteCounts: countStatements(db, 'slo_rollups', 'start_ms'),
    hourlyCounts: countStatements(db, 'slo_hourly', 'hour_ms'),
    keys: db.prepare<[], { service: string; operation: string; spanKind: string }>(
      'SELECT service, operation, span_kind AS spanKind FROM rollup_keys ORDER BY service, operation, span_kind',
    ),
    serviceKeyRollups: db.prepare<[string, number, number, number], KeyRollupRow>(
      `SELECT * FROM (SELECT ${KEY_ROLLUP_COLUMNS} FROM key_rollups WHERE service = ? AND end_ms > ? AND end_ms <= ?
       ORDER BY end_ms DESC, operation DESC, span_kind DESC LIMIT ?) ORDER BY endMs, operation, spanKind`,
    ),
    operationKeyRollups: db.prepare<[string, string, number, number, number], KeyRollupRow>(
      `SELECT * FROM (SELECT ${KEY_ROLLUP_COLUMNS} FROM key_rollups WHERE service = ? AND operation = ? AND end_ms > ? AND end_ms <= ?
       ORDER BY end_ms DESC, span_kind DESC LIMIT ?) ORDER BY endMs, spanKind`,
    ),
    kindKeyRollups: db.prepare<[string, string, string, number, number, number], KeyRollupRow>(
      `SELECT * FROM (SELECT ${KEY_ROLLUP_COLUMNS} FROM key_rollups WHERE service = ? AND operation = ? AND span_kind = ? AND end_ms > ? AND end_ms <= ?
       ORDER BY end_ms DESC LIMIT ?) ORDER BY endMs`,
    ),
    // min() and max() in separate statements: each alone is one index lookup, together a full scan.
    sloFirst: db.prepare<[], { startMs: number | null }>('SELECT min(start_ms) AS startMs FROM slo_rollups'),
    sloLast: db.prepare<[], { startMs: number | null }>('SELECT max(start_ms) AS startMs FROM slo_rollups'),
    // Ordered by the indexed end_ms (start = end − interval), so both ends are index lookups.
    keyFirst: db.prepare<[], { startMs: number }>('SELECT end_ms - interval_ms AS startMs FROM key_rollups ORDER BY end_ms LIMIT 1'),
    keyLast: db.prepare<[], { startMs: number }>('SELECT end_ms - interval_ms AS startMs FROM key_rollups ORDER BY end_ms DESC LIMIT 1'),
  };
  if (readonly) return { read, write: undefined };
  const write = {
    objective: db.prepare<[string, string, number]>(
      'INSERT INTO objectives (name, spec, updated_ms) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, updated_ms = excluded.updated_ms',
    ),
    snapshot: db.prepare<[string, number, number, Uint8Array]>(
      'INSERT INTO snapshots (component, format, taken_ms, data) VALUES (?, ?, ?, ?) ON CONFLICT (component) DO UPDATE SET format = excluded.format, taken_ms = excluded.taken_ms, data = excluded.data',
    ),
    sloRollup: db.prepare<[string, string, string, number, number, number, number]>(
      `INSERT INTO slo_rollups (slo, series, service, start_ms, interval_ms, good, bad) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (slo, series, start_ms) DO UPDATE SET good = good + excluded.good, bad = bad + excluded.bad, service = excluded.service, interval_ms = excluded.interval_ms`,
    ),
    sloHourly: db.prepare<[string, string, number, number, number]>(
      `INSERT INTO slo_hourly (slo, series, hour_ms, good, bad) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (slo, series, hour_ms) DO UPDATE SET good = good + excluded.good, bad = bad + excluded.bad`,
    ),
    sloSeries: db.prepare<[string, string, string]>('INSERT OR IGNORE INTO slo_series (slo, series, service) VALUES (?, ?, ?)'),
    keyRollup: db.prepare<KeyRollupParameters>(
      `INSERT OR REPLACE INTO key_rollups (service, operation, span_kind, end_ms, interval_ms, count, errors, p50_ms, p95_ms, p99_ms,
       error_ratio, throughput, p95_expected_low, p95_expected_center, p95_expected_high) VALUES (${new Array(15).fill('?').join(', ')})`,
    ),
    rollupKey: db.prepare<[string, string, string]>('INSERT OR IGNORE INTO rollup_keys (service, operation, span_kind) VALUES (?, ?, ?)'),
    event: db.prepare<[number, StoredEventKind, string | null, string | null, string | null, string | null, string | null, string]>(
      'INSERT INTO events (at_ms, kind, slo, service, operation, severity, state, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    pruneSloRollups: db.prepare<[number]>('DELETE FROM slo_rollups WHERE start_ms < ?'),
    pruneSloHourly: db.prepare<[number]>('DELETE FROM slo_hourly WHERE hour_ms < ?'),
    pruneKeyRollups: db.prepare<[number]>('DELETE FROM key_rollups WHERE end_ms <= ?'),
    pruneEvents: db.prepare<[number]>('DELETE FROM events WHERE at_ms < ?'),
    // The lists of series and keys lose the entries whose last row was pruned (primary-key lookups, one per entry).
    pruneSloSeries: db.prepare<[]>('DELETE FROM slo_series WHERE NOT EXISTS (SELECT 1 FROM slo_rollups r WHERE r.slo = slo_series.slo AND r.series = slo_series.series)'),
    pruneRollupKeys: db.prepare<[]>(
      `DELETE FROM rollup_keys WHERE NOT EXISTS (SELECT 1 FROM key_rollups r
       WHERE r.service = rollup_keys.service AND r.operation = rollup_keys.operation AND r.span_kind = rollup_keys.span_kind)`,
    ),
  };
  return { read, write };
}

type KeyRollupParameters = [
  string, string, string, number, number, number, number,
  number | null, number | null, number | null, number | null, number,
  number | null, number | null, number | null,
];

type Statements = ReturnType<typeof prepareStatements>;
type WriteStatements = NonNullable<Statements['write']>;

/**
 * slowatch's store: one SQLite file (better-sqlite3, WAL) holding the SLO
 * definitions, the engines' snapshots, per-interval SLO and key rollups and
 * every event. Writers (the `storage` extension) and readers (reports, the
 * report pages: the ReportStore interface) share it; SQLite's WAL lets a
 * read-only reader in another process read while the gateway writes.
 *
 * Opening never damages a file it does not own: see inspectStoreFile. The
 * schema is versioned (store-migrations.ts); a file from a newer slowatch is
 * refused.
 *
 * Synchronous: better-sqlite3 runs each statement on the calling thread. A
 * flush of a few thousand rows takes milliseconds; `synchronous=NORMAL` in
 * WAL mode keeps commits off fsync (a power cut may lose the last commits,
 * never corrupt the file), which is the durability the snapshots need.
 */
export class SlowatchStore implements ReportStore {
  private readonly statements: Statements;
  /** Event queries with optional filters, by SQL text: at most 2⁴ filter shapes × 4 kind-list lengths. */
  private readonly eventQueries = new Map<string, Statement<unknown[], StoredEvent>>();

  private constructor(
    private readonly db: Database.Database,
    /** The file, absolute. */
    readonly file: string,
    readonly readonly: boolean,
    /** Held by a writer, released by close(). */
    private readonly lock: WriterLock | undefined,
  ) {
    this.statements = prepareStatements(db, readonly);
  }

  /**
   * Opens (creating when missing, unless read-only) and migrates the store.
   * @throws StoreOpenError for a file that is not a usable slowatch store; the file is left untouched.
   */
  static open(options: SlowatchStoreOptions): SlowatchStore {
    const file = path.resolve(options.path);
    const migrations = options.migrations ?? STORE_MIGRATIONS;
    checkMigrationOrder(migrations);
    const latest = latestVersion(migrations);
    const readonly = options.readonly ?? false;
    // Every check reads through a read-only connection that is closed before anything writes.
    const state = inspectStoreFile(file, latest);
    if (readonly) {
      if (state.kind === 'absent') throw new StoreOpenError(file, 'does not exist', 'run the gateway with extensions.storage to create it, or pass the path of an existing store');
      if (state.kind === 'empty') throw new StoreOpenError(file, 'is an empty database, not a slowatch store yet', 'run the gateway with extensions.storage on it first');
      if (state.version < latest) {
        throw new StoreOpenError(file, `has schema version ${state.version}; this slowatch reads version ${latest}`, 'start the gateway on it once to upgrade it (it upgrades in place)');
      }
    } else {
      mkdirSync(path.dirname(file), { recursive: true });
    }
    // After the checks, so a refused file gets no lock file beside it.
    const lock = readonly ? undefined : WriterLock.acquire(file);
    let db: Database.Database;
    try {
      db = new Database(file, { readonly, fileMustExist: readonly });
    } catch (error) {
      lock?.release();
      throw error;
    }
    try {
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? (readonly ? DEFAULT_READER_BUSY_TIMEOUT_MS : DEFAULT_WRITER_BUSY_TIMEOUT_MS)))}`);
      if (!readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        applyMigrations(db, migrations);
      }
      return new SlowatchStore(db, file, readonly, lock);
    } catch (error) {
      db.close();
      lock?.release();
      throw error;
    }
  }

  /** The schema version of the file (its user_version). */
  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /** The journal mode in effect (`wal` once opened for writing). */
  get journalMode(): string {
    return this.db.pragma('journal_mode', { simple: true }) as string;
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  /**
   * Runs `work` in one transaction (nested calls of the write methods join
   * it): everything or nothing is stored.
   */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  // --- writes ---------------------------------------------------------------------

  /** Stores (or replaces, by name) the SLO definitions in effect at `atMs`. Definitions no longer configured are kept, for reports over the past. */
  writeObjectives(specs: readonly ObjectiveSpec[], atMs: number): void {
    const write = this.writer();
    this.transaction(() => {
      for (const spec of specs) write.objective.run(spec.name, JSON.stringify(spec), atMs);
    });
  }

  /** Replaces the snapshot of each component. */
  saveSnapshots(entries: readonly SnapshotEntry[], atMs: number): void {
    const write = this.writer();
    this.transaction(() => {
      for (const entry of entries) write.snapshot.run(entry.component, entry.format, atMs, entry.data);
    });
  }

  loadSnapshot(component: string): StoredSnapshot | undefined {
    return this.statements.read.loadSnapshot.get(component);
  }

  /** Writes rollups and events in one transaction. SLO rollups add to an existing row of the same interval. */
  write(batch: StoreBatch): void {
    const write = this.writer();
    this.transaction(() => {
      for (const row of batch.sloRollups ?? []) {
        write.sloRollup.run(row.slo, row.series, row.service, row.startMs, row.intervalMs, row.good, row.bad);
        write.sloHourly.run(row.slo, row.series, row.startMs - (row.startMs % HOUR_MS), row.good, row.bad);
        write.sloSeries.run(row.slo, row.series, row.service);
      }
      for (const row of batch.keyRollups ?? []) {
        write.keyRollup.run(
          row.service, row.operation, row.spanKind, row.endMs, row.intervalMs, row.count, row.errors,
          row.p50Ms, row.p95Ms, row.p99Ms, row.errorRatio, row.throughput,
          row.p95ExpectedLow, row.p95ExpectedCenter, row.p95ExpectedHigh,
        );
        write.rollupKey.run(row.service, row.operation, row.spanKind);
      }
      for (const event of batch.events ?? []) {
        write.event.run(event.atMs, event.kind, event.slo, event.service, event.operation, event.severity, event.state, event.payload);
      }
    });
  }

  /**
   * Deletes SLO rollups whose interval started before `nowMs − rollupsMs`,
   * key rollups whose interval ended by then, and events before `nowMs − eventsMs`.
   */
  prune(nowMs: number, retention: RetentionSettings): PruneResult {
    const write = this.writer();
    return this.transaction(() => {
      // Whole hours, so the hourly sums and the rows they sum are pruned alike.
      const rollupCutoff = floorHour(nowMs - retention.rollupsMs);
      const slo = write.pruneSloRollups.run(rollupCutoff).changes;
      write.pruneSloHourly.run(rollupCutoff);
      const key = write.pruneKeyRollups.run(rollupCutoff).changes;
      const events = write.pruneEvents.run(nowMs - retention.eventsMs).changes;
      if (slo > 0) write.pruneSloSeries.run();
      if (key > 0) write.pruneRollupKeys.run();
      return { rollups: slo + key, events };
    });
  }

  /**
   * The persistent queue `name` (an exporter's sending queue) in this store.
   * Its rows are committed statement by statement (see PersistentQueueTable).
   */
  queueTable(name: string): PersistentQueueTable {
    this.writer();
    return new PersistentQueueTable(this.db, name);
  }

  /** Closes the connection (checkpointing the WAL into the file). Idempotent. */
  close(): void {
    if (this.db.open) this.db.close();
    this.lock?.release();
  }

  // --- ReportStore ------------------------------------------------------------------

  objectives(): readonly StoredObjective[] {
    return this.statements.read.objectives.all().map((row) => ({ spec: JSON.parse(row.spec) as ObjectiveSpec, updatedMs: row.updatedMs }));
  }

  sloSeries(slo: string): readonly { readonly series: string; readonly service: string }[] {
    return this.statements.read.sloSeries.all(slo);
  }

  /**
   * Whole clock hours inside the range are read from the hourly sums, the
   * partial hours at either end from the per-interval rows: the same sums,
   * 60 times fewer rows read for a month of 1-minute rows.
   */
  sloCounts(query: SloRangeQuery): EventCounts {
    let good = 0;
    let bad = 0;
    for (const part of splitByHours(query.fromMs, query.toMs)) {
      const statements = part.hourly ? this.statements.read.hourlyCounts : this.statements.read.minuteCounts;
      const row =
        query.series === undefined
          ? statements.all.get(query.slo, part.fromMs, part.toMs)
          : statements.series.get(query.slo, query.series, part.fromMs, part.toMs);
      good += row?.good ?? 0;
      bad += row?.bad ?? 0;
    }
    return { good, bad };
  }

  /** Buckets that are whole hours read the hourly sums for the range's whole hours (see sloCounts). */
  sloCountsByBucket(query: SloRangeQuery & { readonly bucketMs: number }): readonly CountsBucket[] {
    const bucketMs = Math.floor(query.bucketMs);
    if (!(bucketMs >= 1)) throw new RangeError(`bucketMs must be >= 1, got ${query.bucketMs}`);
    const parts = bucketMs % HOUR_MS === 0 ? splitByHours(query.fromMs, query.toMs) : [{ fromMs: query.fromMs, toMs: query.toMs, hourly: false }];
    const buckets = new Map<number, { good: number; bad: number }>();
    for (const part of parts) {
      const statements: CountStatements = part.hourly ? this.statements.read.hourlyCounts : this.statements.read.minuteCounts;
      const rows =
        query.series === undefined
          ? statements.allBuckets.all(bucketMs, query.slo, part.fromMs, part.toMs)
          : statements.seriesBuckets.all(bucketMs, query.slo, query.series, part.fromMs, part.toMs);
      for (const row of rows) {
        const sums = buckets.get(row.startMs);
        if (sums === undefined) buckets.set(row.startMs, { good: row.good, bad: row.bad });
        else {
          sums.good += row.good;
          sums.bad += row.bad;
        }
      }
    }
    return [...buckets].sort(([a], [b]) => a - b).map(([startMs, sums]) => ({ startMs, good: sums.good, bad: sums.bad }));
  }

  events(query: EventQuery): readonly StoredEvent[] {
    const conditions = ['at_ms >= ?', 'at_ms < ?'];
    const parameters: unknown[] = [query.fromMs, query.toMs];
    if (query.kinds !== undefined) {
      if (query.kinds.length === 0) return [];
      conditions.push(`kind IN (${query.kinds.map(() => '?').join(', ')})`);
      parameters.push(...query.kinds);
    }
    for (const [column, value] of [['slo', query.slo], ['service', query.service], ['operation', query.operation]] as const) {
      if (value === undefined) continue;
      conditions.push(`${column} = ?`);
      parameters.push(value);
    }
    parameters.push(positiveLimit(query.limit, DEFAULT_EVENT_LIMIT));
    const sql = `SELECT ${EVENT_COLUMNS} FROM events WHERE ${conditions.join(' AND ')} ORDER BY at_ms DESC, id DESC LIMIT ?`;
    let statement = this.eventQueries.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare<unknown[], StoredEvent>(sql);
      this.eventQueries.set(sql, statement);
    }
    return statement.all(...parameters);
  }

  keys(): readonly { readonly service: string; readonly operation: string; readonly spanKind: string }[] {
    return this.statements.read.keys.all();
  }

  /** The rows of intervals that ended in (fromMs, toMs]: with aligned bounds, exactly those that started in [fromMs, toMs). */
  keyRollups(query: KeyRollupQuery): readonly KeyRollupRow[] {
    const read = this.statements.read;
    const limit = positiveLimit(query.limit, DEFAULT_KEY_ROLLUP_LIMIT);
    if (query.operation === undefined) return read.serviceKeyRollups.all(query.service, query.fromMs, query.toMs, limit);
    // With the span kind the primary key (service, operation, span_kind, end_ms) serves the range directly;
    // without it SQLite walks the service's rows by time (bench:report measured 60 ms against 2.6 ms per read).
    return query.spanKind === undefined
      ? read.operationKeyRollups.all(query.service, query.operation, query.fromMs, query.toMs, limit)
      : read.kindKeyRollups.all(query.service, query.operation, query.spanKind, query.fromMs, query.toMs, limit);
  }

  extent(): { readonly fromMs: number; readonly toMs: number } | undefined {
    const read = this.statements.read;
    const starts = [read.sloFirst.get()?.startMs, read.sloLast.get()?.startMs, read.keyFirst.get()?.startMs, read.keyLast.get()?.startMs].filter(
      (value): value is number => typeof value === 'number',
    );
    if (starts.length === 0) return undefined;
    return { fromMs: Math.min(...starts), toMs: Math.max(...starts) };
  }

  private writer(): WriteStatements {
    if (this.statements.write === undefined) throw new Error(`store ${this.file} is open read-only`);
    return this.statements.write;
  }
}

function floorHour(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/**
 * [fromMs, toMs) as up to three parts: the partial hour at the start, the
 * whole hours (readable from the hourly sums), the partial hour at the end.
 * Empty parts are left out.
 */
function splitByHours(fromMs: number, toMs: number): { fromMs: number; toMs: number; hourly: boolean }[] {
  if (!(toMs > fromMs)) return [];
  const firstWhole = Math.ceil(fromMs / HOUR_MS) * HOUR_MS;
  const lastWhole = floorHour(toMs);
  if (firstWhole >= lastWhole) return [{ fromMs, toMs, hourly: false }];
  const parts = [{ fromMs: firstWhole, toMs: lastWhole, hourly: true }];
  if (fromMs < firstWhole) parts.unshift({ fromMs, toMs: firstWhole, hourly: false });
  if (lastWhole < toMs) parts.push({ fromMs: lastWhole, toMs, hourly: false });
  return parts;
}

function positiveLimit(limit: number | undefined, fallback: number): number {
  if (limit === undefined) return fallback;
  return Math.max(0, Math.floor(limit));
}
