import type { Database } from 'better-sqlite3';

/**
 * The store's schema, as an ordered list of numbered steps. A database
 * records the last step applied in `PRAGMA user_version`; opening it applies
 * the later steps in order, each in its own transaction together with the
 * new user_version, so a crash leaves the file at a whole step. A step is
 * never edited once released: a schema change is a new step.
 */
export interface StoreMigration {
  /** 1, 2, 3…: the user_version the database has once the step is applied. */
  readonly version: number;
  readonly description: string;
  /** Runs inside the step's transaction. */
  up(db: Database): void;
}

/**
 * `PRAGMA application_id` of every slowatch store: "SLWT" in ASCII. It tells
 * a slowatch store from any other SQLite file (sqlite3 and `file` show it).
 */
export const SLOWATCH_APPLICATION_ID = 0x534c5754;

const V1_SCHEMA = `
  CREATE TABLE objectives (
    name       TEXT PRIMARY KEY,
    spec       TEXT NOT NULL,
    updated_ms INTEGER NOT NULL
  );
  CREATE TABLE snapshots (
    component TEXT PRIMARY KEY,
    format    INTEGER NOT NULL,
    taken_ms  INTEGER NOT NULL,
    data      BLOB NOT NULL
  );
  CREATE TABLE slo_rollups (
    slo         TEXT NOT NULL,
    series      TEXT NOT NULL,
    service     TEXT NOT NULL,
    start_ms    INTEGER NOT NULL,
    interval_ms INTEGER NOT NULL,
    good        INTEGER NOT NULL,
    bad         INTEGER NOT NULL,
    PRIMARY KEY (slo, series, start_ms)
  ) WITHOUT ROWID;
  CREATE INDEX slo_rollups_by_slo_time ON slo_rollups (slo, start_ms);
  CREATE INDEX slo_rollups_by_time ON slo_rollups (start_ms);
  -- The same counts summed per clock hour (by start_ms), kept in step on every write: a
  -- month's sum reads 720 rows per series instead of 43 200.
  CREATE TABLE slo_hourly (
    slo     TEXT NOT NULL,
    series  TEXT NOT NULL,
    hour_ms INTEGER NOT NULL,
    good    INTEGER NOT NULL,
    bad     INTEGER NOT NULL,
    PRIMARY KEY (slo, series, hour_ms)
  ) WITHOUT ROWID;
  CREATE INDEX slo_hourly_by_slo_time ON slo_hourly (slo, hour_ms);
  CREATE INDEX slo_hourly_by_time ON slo_hourly (hour_ms);
  -- The distinct series per SLO, so listing them never scans the rollups.
  CREATE TABLE slo_series (
    slo     TEXT NOT NULL,
    series  TEXT NOT NULL,
    service TEXT NOT NULL,
    PRIMARY KEY (slo, series)
  ) WITHOUT ROWID;
  CREATE TABLE key_rollups (
    service             TEXT NOT NULL,
    operation           TEXT NOT NULL,
    span_kind           TEXT NOT NULL,
    end_ms              INTEGER NOT NULL,
    interval_ms         INTEGER NOT NULL,
    count               INTEGER NOT NULL,
    errors              INTEGER NOT NULL,
    p50_ms              REAL,
    p95_ms              REAL,
    p99_ms              REAL,
    error_ratio         REAL,
    throughput          REAL NOT NULL,
    p95_expected_low    REAL,
    p95_expected_center REAL,
    p95_expected_high   REAL,
    PRIMARY KEY (service, operation, span_kind, end_ms)
  ) WITHOUT ROWID;
  CREATE INDEX key_rollups_by_service_time ON key_rollups (service, end_ms);
  CREATE INDEX key_rollups_by_time ON key_rollups (end_ms);
  -- The distinct keys, so listing them never scans the rollups.
  CREATE TABLE rollup_keys (
    service   TEXT NOT NULL,
    operation TEXT NOT NULL,
    span_kind TEXT NOT NULL,
    PRIMARY KEY (service, operation, span_kind)
  ) WITHOUT ROWID;
  CREATE TABLE events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms     INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    slo       TEXT,
    service   TEXT,
    operation TEXT,
    severity  TEXT,
    state     TEXT,
    payload   TEXT NOT NULL
  );
  CREATE INDEX events_by_time ON events (at_ms);
  CREATE INDEX events_by_kind ON events (kind, at_ms);
  CREATE INDEX events_by_slo ON events (slo, at_ms);
  CREATE INDEX events_by_service ON events (service, at_ms);
`;

/**
 * Version 2: the `otlp` exporters' persistent sending queues (see
 * src/storage/persistent-queue.ts). One table for every exporter, told apart
 * by `queue` (the exporter's id). AUTOINCREMENT: ids are never reused, so
 * `ORDER BY id` is the order of arrival even after the newest rows were
 * deleted. `body` is the batch in OTLP protobuf, `dispatched` is set before
 * the first attempt to send it, so a restart knows which rows it sends again.
 */
const V2_EXPORTER_QUEUE = `
  CREATE TABLE exporter_queue (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    queue       TEXT NOT NULL,
    signal      TEXT NOT NULL,
    items       INTEGER NOT NULL,
    bytes       INTEGER NOT NULL,
    enqueued_ms INTEGER NOT NULL,
    dispatched  INTEGER NOT NULL DEFAULT 0,
    body        BLOB NOT NULL
  );
  CREATE INDEX exporter_queue_by_queue ON exporter_queue (queue, id);
`;

/** Every step of the schema, oldest first. The last one's version is the current schema version. */
export const STORE_MIGRATIONS: readonly StoreMigration[] = [
  {
    version: 1,
    description: 'objectives, snapshots, SLO and key rollups, events',
    up: (db) => {
      db.exec(V1_SCHEMA);
      // In the same transaction as the tables: a file with slowatch's tables always carries slowatch's id.
      db.pragma(`application_id = ${SLOWATCH_APPLICATION_ID}`);
    },
  },
  {
    version: 2,
    description: "the exporters' persistent sending queues",
    up: (db) => db.exec(V2_EXPORTER_QUEUE),
  },
];

/** The schema version a list of migrations leads to. */
export function latestVersion(migrations: readonly StoreMigration[]): number {
  return migrations.length === 0 ? 0 : (migrations[migrations.length - 1] as StoreMigration).version;
}

/** @throws Error when versions are not 1, 2, 3… in order: a programming error, caught by the tests. */
export function checkMigrationOrder(migrations: readonly StoreMigration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`store migration #${index} has version ${migration.version}, expected ${index + 1}`);
  });
}

/**
 * Applies the steps after the database's user_version, each in one
 * transaction with its new user_version. Returns the versions applied.
 */
export function applyMigrations(db: Database, migrations: readonly StoreMigration[]): number[] {
  checkMigrationOrder(migrations);
  const applied: number[] = [];
  for (const migration of migrations) {
    const step = db.transaction(() => {
      // Read inside the transaction: another process may have applied it since.
      const current = db.pragma('user_version', { simple: true }) as number;
      if (current >= migration.version) return false;
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
      return true;
    });
    if (step.immediate()) applied.push(migration.version);
  }
  return applied;
}
