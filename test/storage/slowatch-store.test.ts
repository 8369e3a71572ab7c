import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SlowatchStore } from '../../src/storage/slowatch-store';
import { StoreOpenError } from '../../src/storage/store-open-error';
import { SLOWATCH_APPLICATION_ID, STORE_MIGRATIONS } from '../../src/storage/store-migrations';
import type { StoreMigration } from '../../src/storage/store-migrations';
import type { KeyRollupRow, SloRollupRow, StoredEvent } from '../../src/storage/store-records';
import { objectiveSpec } from '../helpers/objectives';
import { filesIn, sha256, useTempDir } from './store-test-files';

const MINUTE = 60_000;
const T0 = Date.UTC(2025, 0, 1);

function sloRow(overrides: Partial<SloRollupRow> = {}): SloRollupRow {
  return { slo: 'checkout', series: '{"service":"shop"}', service: 'shop', startMs: T0, intervalMs: MINUTE, good: 10, bad: 1, ...overrides };
}

function keyRow(overrides: Partial<KeyRollupRow> = {}): KeyRollupRow {
  return {
    service: 'shop', operation: 'GET /cart', spanKind: 'server', endMs: T0 + MINUTE, intervalMs: MINUTE, count: 120, errors: 3,
    p50Ms: 12, p95Ms: 40, p99Ms: 80, errorRatio: 0.025, throughput: 2, p95ExpectedLow: 20, p95ExpectedCenter: 35, p95ExpectedHigh: 50,
    ...overrides,
  };
}

function event(overrides: Partial<StoredEvent> = {}): StoredEvent {
  return { atMs: T0, kind: 'slo_alert', slo: 'checkout', service: 'shop', operation: null, severity: 'page', state: 'firing', payload: '{}', ...overrides };
}

describe('SlowatchStore: opening', () => {
  const tempDir = useTempDir();

  it('creates the directories and the file, in WAL mode, identified as slowatch at the current schema', () => {
    const file = path.join(tempDir(), 'nested', 'deeper', 'slowatch.db');
    const store = SlowatchStore.open({ path: file });
    expect(existsSync(file)).toBe(true);
    expect(store.file).toBe(file);
    expect(store.journalMode).toBe('wal');
    expect(store.schemaVersion).toBe(STORE_MIGRATIONS.length);
    store.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('application_id', { simple: true })).toBe(SLOWATCH_APPLICATION_ID);
    expect(db.pragma('user_version', { simple: true })).toBe(STORE_MIGRATIONS.length);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(['events', 'exporter_queue', 'key_rollups', 'objectives', 'rollup_keys', 'slo_hourly', 'slo_rollups', 'slo_series', 'snapshots']);
    db.close();
  });

  it('reopens its own file and keeps the data; a clean close leaves no -wal/-shm', () => {
    const file = path.join(tempDir(), 'slowatch.db');
    const first = SlowatchStore.open({ path: file });
    first.write({ sloRollups: [sloRow()] });
    first.close();
    expect(filesIn(tempDir())).toEqual(['slowatch.db']);
    const second = SlowatchStore.open({ path: file });
    expect(second.sloCounts({ slo: 'checkout', fromMs: T0, toMs: T0 + MINUTE })).toEqual({ good: 10, bad: 1 });
    second.close();
  });

  it('initialises an empty file (0 bytes) and an empty SQLite database', () => {
    const empty = path.join(tempDir(), 'empty.db');
    writeFileSync(empty, '');
    SlowatchStore.open({ path: empty }).close();
    const blank = path.join(tempDir(), 'blank.db');
    new Database(blank).close();
    const store = SlowatchStore.open({ path: blank });
    expect(store.schemaVersion).toBe(STORE_MIGRATIONS.length);
    store.close();
  });

  it('upgrades a store to a further version in place, keeping its rows', () => {
    const file = path.join(tempDir(), 'slowatch.db');
    const v1 = SlowatchStore.open({ path: file });
    v1.write({ sloRollups: [sloRow()] });
    v1.close();
    const next = STORE_MIGRATIONS.length + 1;
    const v2: StoreMigration = {
      version: next,
      description: 'test: a note per objective',
      up: (db) => db.exec('ALTER TABLE objectives ADD COLUMN note TEXT'),
    };
    const upgraded = SlowatchStore.open({ path: file, migrations: [...STORE_MIGRATIONS, v2] });
    expect(upgraded.schemaVersion).toBe(next);
    expect(upgraded.sloCounts({ slo: 'checkout', fromMs: T0, toMs: T0 + MINUTE })).toEqual({ good: 10, bad: 1 });
    upgraded.close();
    const db = new Database(file, { readonly: true });
    expect((db.prepare('PRAGMA table_info(objectives)').all() as { name: string }[]).map((c) => c.name)).toContain('note');
    db.close();
    // Opening again applies nothing twice.
    SlowatchStore.open({ path: file, migrations: [...STORE_MIGRATIONS, v2] }).close();
  });

  it('a failing migration step leaves the file at the previous version', () => {
    const file = path.join(tempDir(), 'slowatch.db');
    SlowatchStore.open({ path: file }).close();
    const broken: StoreMigration = {
      version: STORE_MIGRATIONS.length + 1,
      description: 'test: fails half-way',
      up: (db) => {
        db.exec('CREATE TABLE half (x)');
        throw new Error('boom');
      },
    };
    expect(() => SlowatchStore.open({ path: file, migrations: [...STORE_MIGRATIONS, broken] })).toThrow('boom');
    const store = SlowatchStore.open({ path: file });
    expect(store.schemaVersion).toBe(STORE_MIGRATIONS.length);
    store.close();
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('refuses a migration list out of order', () => {
    const file = path.join(tempDir(), 'slowatch.db');
    const n = STORE_MIGRATIONS.length;
    const skipped: StoreMigration = { version: n + 2, description: 'gap', up: () => undefined };
    expect(() => SlowatchStore.open({ path: file, migrations: [...STORE_MIGRATIONS, skipped] })).toThrow(`has version ${n + 2}, expected ${n + 1}`);
  });
});

describe('SlowatchStore: refusing files it does not own, untouched', () => {
  const tempDir = useTempDir();

  /** Asserts the open is refused with a message naming the file and `problem`, and the directory is exactly as before. */
  function expectRefused(file: string, problem: RegExp, options: { readonly?: boolean } = {}): StoreOpenError {
    const hash = sha256(file);
    const before = filesIn(path.dirname(file));
    let thrown: unknown;
    try {
      SlowatchStore.open({ path: file, ...options }).close();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(StoreOpenError);
    const error = thrown as StoreOpenError;
    expect(error.message).toContain(file);
    expect(error.message).toMatch(problem);
    expect(error.message).toMatch(/move the file aside|point extensions\.storage\.path|run that newer slowatch/);
    expect(sha256(file)).toBe(hash);
    expect(filesIn(path.dirname(file))).toEqual(before);
    return error;
  }

  function writeSlowatchStore(file: string, rows = 500): void {
    const store = SlowatchStore.open({ path: file });
    store.write({ sloRollups: Array.from({ length: rows }, (_, i) => sloRow({ startMs: T0 + i * MINUTE, series: `{"service":"s${i % 7}"}` })) });
    store.close();
  }

  it('refuses garbage bytes', () => {
    const file = path.join(tempDir(), 'slowatch.db');
    writeFileSync(file, Buffer.from('this is not a database, it is a shopping list\n'.repeat(200)));
    const error = expectRefused(file, /is not a SQLite database/);
    expect(error.message).toContain('move the file aside');
  });

  it('refuses a truncated store', () => {
    const file = path.join(tempDir(), 'slowatch.db');
    writeSlowatchStore(file);
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expectRefused(file, /corrupt/);
  });

  it('refuses a store with damaged pages', () => {
    const file = path.join(tempDir(), 'slowatch.db');
    writeSlowatchStore(file, 2000);
    const bytes = Buffer.from(readFileSync(file));
    const pageSize = bytes.readUInt16BE(16);
    bytes.fill(0xa5, pageSize * 3, pageSize * 3 + 600);
    writeFileSync(file, bytes);
    expectRefused(file, /corrupt/);
  });

  it("refuses another application's database (foreign application_id)", () => {
    const file = path.join(tempDir(), 'other.db');
    const db = new Database(file);
    db.pragma('application_id = 1234');
    db.exec('CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT)');
    db.close();
    expectRefused(file, /another application's SQLite database \(application_id 0x4d2/);
  });

  it('refuses a SQLite database with tables but no application_id, even in WAL mode, leaving no -wal/-shm', () => {
    const file = path.join(tempDir(), 'app.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')");
    db.close();
    expect(filesIn(tempDir())).toEqual(['app.db']);
    expectRefused(file, /with tables but no application_id: not a slowatch store/);
  });

  it('refuses a store written by a newer schema', () => {
    const file = path.join(tempDir(), 'slowatch.db');
    writeSlowatchStore(file);
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    expectRefused(file, new RegExp(`newer slowatch \\(schema version 99; this slowatch knows up to ${STORE_MIGRATIONS.length}\\)`));
  });

  it('refuses, read-only, a missing file or an empty database without creating anything', () => {
    const missing = path.join(tempDir(), 'none', 'slowatch.db');
    expect(() => SlowatchStore.open({ path: missing, readonly: true })).toThrow(/does not exist/);
    expect(existsSync(path.dirname(missing))).toBe(false);
    const empty = path.join(tempDir(), 'empty.db');
    writeFileSync(empty, '');
    expect(() => SlowatchStore.open({ path: empty, readonly: true })).toThrow(/empty database/);
  });
});

describe('SlowatchStore: writing and reading', () => {
  const tempDir = useTempDir();
  const open = (): SlowatchStore => SlowatchStore.open({ path: path.join(tempDir(), 'slowatch.db') });

  it('stores objectives by name, the latest definition winning', () => {
    const store = open();
    store.writeObjectives([objectiveSpec({ name: 'b' }), objectiveSpec({ name: 'a', objective: 0.99 })], T0);
    store.writeObjectives([objectiveSpec({ name: 'a', objective: 0.995 })], T0 + 1000);
    expect(store.objectives().map((o) => [o.spec.name, o.spec.objective, o.updatedMs])).toEqual([
      ['a', 0.995, T0 + 1000],
      ['b', 0.999, T0],
    ]);
    expect(store.objectives()[1]?.spec).toEqual(objectiveSpec({ name: 'b' }));
    store.close();
  });

  it('saves and replaces snapshots per component', () => {
    const store = open();
    expect(store.loadSnapshot('slo/slo')).toBeUndefined();
    store.saveSnapshots([{ component: 'slo/slo', format: 1, data: new Uint8Array([1, 2, 3]) }], T0);
    store.saveSnapshots([{ component: 'slo/slo', format: 2, data: Buffer.from([9]) }, { component: 'baseline/baseline', format: 1, data: new Uint8Array(0) }], T0 + 5);
    const snapshot = store.loadSnapshot('slo/slo');
    expect(snapshot?.format).toBe(2);
    expect(snapshot?.takenMs).toBe(T0 + 5);
    expect([...(snapshot?.data ?? [])]).toEqual([9]);
    expect(store.loadSnapshot('baseline/baseline')?.data.length).toBe(0);
    store.close();
  });

  it('adds SLO rollups to the row of the same interval (upsert adds)', () => {
    const store = open();
    store.write({ sloRollups: [sloRow({ good: 10, bad: 1 })] });
    store.write({ sloRollups: [sloRow({ good: 5, bad: 2 }), sloRow({ startMs: T0 + MINUTE, good: 1, bad: 0 })] });
    expect(store.sloCounts({ slo: 'checkout', fromMs: T0, toMs: T0 + MINUTE })).toEqual({ good: 15, bad: 3 });
    expect(store.sloCounts({ slo: 'checkout', fromMs: T0, toMs: T0 + 2 * MINUTE })).toEqual({ good: 16, bad: 3 });
    expect(store.sloCounts({ slo: 'nope', fromMs: T0, toMs: T0 + 2 * MINUTE })).toEqual({ good: 0, bad: 0 });
    store.close();
  });

  it('writes a batch all or nothing', () => {
    const store = open();
    const bad = { ...sloRow(), good: null } as unknown as SloRollupRow;
    expect(() => store.write({ events: [event()], sloRollups: [sloRow(), bad] })).toThrow();
    expect(store.events({ fromMs: 0, toMs: Number.MAX_SAFE_INTEGER })).toEqual([]);
    expect(store.sloCounts({ slo: 'checkout', fromMs: 0, toMs: Number.MAX_SAFE_INTEGER })).toEqual({ good: 0, bad: 0 });
    store.close();
  });

  it('lists series, sums per series and per bucket', () => {
    const store = open();
    const shop = '{"service":"shop"}';
    const cart = '{"http.route":"/cart","service":"cart"}';
    store.write({
      sloRollups: [
        sloRow({ series: shop, startMs: T0, good: 10, bad: 1 }),
        sloRow({ series: shop, startMs: T0 + MINUTE, good: 20, bad: 2 }),
        sloRow({ series: cart, service: 'cart', startMs: T0 + 5 * MINUTE, good: 7, bad: 0 }),
        sloRow({ slo: 'other', series: shop, startMs: T0, good: 1000, bad: 1000 }),
      ],
    });
    expect(store.sloSeries('checkout')).toEqual([
      { series: cart, service: 'cart' },
      { series: shop, service: 'shop' },
    ]);
    expect(store.sloCounts({ slo: 'checkout', series: cart, fromMs: T0, toMs: T0 + 10 * MINUTE })).toEqual({ good: 7, bad: 0 });
    expect(store.sloCountsByBucket({ slo: 'checkout', fromMs: T0, toMs: T0 + 10 * MINUTE, bucketMs: 5 * MINUTE })).toEqual([
      { startMs: T0, good: 30, bad: 3 },
      { startMs: T0 + 5 * MINUTE, good: 7, bad: 0 },
    ]);
    expect(store.sloCountsByBucket({ slo: 'checkout', series: shop, fromMs: T0 + MINUTE, toMs: T0 + 10 * MINUTE, bucketMs: MINUTE })).toEqual([
      { startMs: T0 + MINUTE, good: 20, bad: 2 },
    ]);
    expect(() => store.sloCountsByBucket({ slo: 'checkout', fromMs: T0, toMs: T0 + 1, bucketMs: 0 })).toThrow(RangeError);
    store.close();
  });

  it('filters events and returns them newest first, up to the limit', () => {
    const store = open();
    store.write({
      events: [
        event({ atMs: T0 + 1 }),
        event({ atMs: T0 + 2, kind: 'anomaly', slo: null, operation: 'GET /cart', severity: null, state: 'start', payload: '{"edge":"start"}' }),
        event({ atMs: T0 + 3, kind: 'regression', slo: null, service: 'cart', operation: 'GET /cart', severity: 'regression', state: null }),
        event({ atMs: T0 + 3, kind: 'recommendation', slo: null, service: 'cart', operation: null, severity: 'high', state: 'open' }),
        event({ atMs: T0 + 10, state: 'resolved' }),
      ],
    });
    const all = store.events({ fromMs: T0, toMs: T0 + 100 });
    expect(all.map((e) => [e.atMs, e.kind])).toEqual([
      [T0 + 10, 'slo_alert'],
      [T0 + 3, 'recommendation'],
      [T0 + 3, 'regression'],
      [T0 + 2, 'anomaly'],
      [T0 + 1, 'slo_alert'],
    ]);
    expect(all[3]).toEqual({ id: 2, atMs: T0 + 2, kind: 'anomaly', slo: null, service: 'shop', operation: 'GET /cart', severity: null, state: 'start', payload: '{"edge":"start"}' });
    expect(store.events({ fromMs: T0, toMs: T0 + 10 }).length).toBe(4);
    expect(store.events({ fromMs: T0, toMs: T0 + 100, kinds: ['anomaly', 'regression'] }).map((e) => e.kind)).toEqual(['regression', 'anomaly']);
    expect(store.events({ fromMs: T0, toMs: T0 + 100, kinds: [] })).toEqual([]);
    expect(store.events({ fromMs: T0, toMs: T0 + 100, slo: 'checkout' }).map((e) => e.state)).toEqual(['resolved', 'firing']);
    expect(store.events({ fromMs: T0, toMs: T0 + 100, service: 'cart' }).map((e) => e.kind)).toEqual(['recommendation', 'regression']);
    expect(store.events({ fromMs: T0, toMs: T0 + 100, service: 'shop', operation: 'GET /cart' }).map((e) => e.kind)).toEqual(['anomaly']);
    expect(store.events({ fromMs: T0, toMs: T0 + 100, limit: 2 }).map((e) => e.atMs)).toEqual([T0 + 10, T0 + 3]);
    store.close();
  });

  it('stores key rollups (replacing a repeat of the same interval), lists keys, returns the newest rows oldest first', () => {
    const store = open();
    const rows = [0, 1, 2, 3].map((i) => keyRow({ endMs: T0 + (i + 1) * MINUTE, count: 100 + i }));
    store.write({
      keyRollups: [
        ...rows,
        keyRow({ operation: 'POST /pay', endMs: T0 + 2 * MINUTE, p50Ms: null, p95Ms: null, p99Ms: null, errorRatio: null, count: 0, errors: 0, throughput: 0, p95ExpectedLow: null, p95ExpectedCenter: null, p95ExpectedHigh: null }),
        keyRow({ service: 'cart', spanKind: 'consumer' }),
      ],
    });
    store.write({ keyRollups: [keyRow({ endMs: T0 + MINUTE, count: 999 })] });
    expect(store.keys()).toEqual([
      { service: 'cart', operation: 'GET /cart', spanKind: 'consumer' },
      { service: 'shop', operation: 'GET /cart', spanKind: 'server' },
      { service: 'shop', operation: 'POST /pay', spanKind: 'server' },
    ]);
    const cart = store.keyRollups({ service: 'shop', operation: 'GET /cart', fromMs: T0, toMs: T0 + 10 * MINUTE });
    expect(cart.map((r) => r.count)).toEqual([999, 101, 102, 103]);
    expect(cart[1]).toEqual(rows[1]);
    expect(store.keyRollups({ service: 'shop', operation: 'GET /cart', fromMs: T0, toMs: T0 + 10 * MINUTE, limit: 2 }).map((r) => r.endMs)).toEqual([T0 + 3 * MINUTE, T0 + 4 * MINUTE]);
    // (fromMs, toMs]: intervals that ended after fromMs, by toMs.
    expect(store.keyRollups({ service: 'shop', operation: 'GET /cart', fromMs: T0 + MINUTE, toMs: T0 + 3 * MINUTE }).map((r) => r.endMs)).toEqual([T0 + 2 * MINUTE, T0 + 3 * MINUTE]);
    const service = store.keyRollups({ service: 'shop', fromMs: T0, toMs: T0 + 10 * MINUTE });
    expect(service.map((r) => `${r.endMs - T0}:${r.operation}`)).toEqual([`${MINUTE}:GET /cart`, `${2 * MINUTE}:GET /cart`, `${2 * MINUTE}:POST /pay`, `${3 * MINUTE}:GET /cart`, `${4 * MINUTE}:GET /cart`]);
    expect(service[2]?.p50Ms).toBeNull();
    // One span kind of an operation: the same operation name as a consumer elsewhere is not mixed in.
    store.write({ keyRollups: [keyRow({ spanKind: 'client', endMs: T0 + 2 * MINUTE, count: 7 })] });
    expect(store.keyRollups({ service: 'shop', operation: 'GET /cart', spanKind: 'client', fromMs: T0, toMs: T0 + 10 * MINUTE }).map((r) => r.count)).toEqual([7]);
    expect(store.keyRollups({ service: 'shop', operation: 'GET /cart', spanKind: 'server', fromMs: T0, toMs: T0 + 10 * MINUTE, limit: 2 }).map((r) => r.count)).toEqual([102, 103]);
    store.close();
  });

  it('reports the extent of the rollups, undefined when empty', () => {
    const store = open();
    expect(store.extent()).toBeUndefined();
    store.write({ keyRollups: [keyRow({ endMs: T0 + MINUTE }), keyRow({ endMs: T0 + 9 * MINUTE })] });
    expect(store.extent()).toEqual({ fromMs: T0, toMs: T0 + 8 * MINUTE });
    store.write({ sloRollups: [sloRow({ startMs: T0 - 5 * MINUTE }), sloRow({ startMs: T0 + 3 * MINUTE })] });
    expect(store.extent()).toEqual({ fromMs: T0 - 5 * MINUTE, toMs: T0 + 8 * MINUTE });
    store.close();
  });

  it('prunes by retention, and the series and key lists with their last rows', () => {
    const store = open();
    const day = 86_400_000;
    store.write({
      sloRollups: [sloRow({ startMs: T0 }), sloRow({ series: '{"service":"old"}', service: 'old', startMs: T0 }), sloRow({ startMs: T0 + 10 * day })],
      keyRollups: [keyRow({ endMs: T0 + MINUTE }), keyRow({ operation: 'old', endMs: T0 + MINUTE }), keyRow({ endMs: T0 + 10 * day })],
      events: [event({ atMs: T0 }), event({ atMs: T0 + 3 * day }), event({ atMs: T0 + 10 * day })],
    });
    const result = store.prune(T0 + 12 * day, { rollupsMs: 5 * day, eventsMs: 8 * day });
    expect(result).toEqual({ rollups: 4, events: 2 });
    expect(store.sloSeries('checkout')).toEqual([{ series: '{"service":"shop"}', service: 'shop' }]);
    expect(store.keys()).toEqual([{ service: 'shop', operation: 'GET /cart', spanKind: 'server' }]);
    expect(store.events({ fromMs: 0, toMs: Number.MAX_SAFE_INTEGER }).map((e) => e.atMs)).toEqual([T0 + 10 * day]);
    expect(store.prune(T0 + 12 * day, { rollupsMs: 5 * day, eventsMs: 8 * day })).toEqual({ rollups: 0, events: 0 });
    store.close();
  });

  it('is read-only when asked: reads work, writes are refused, and it sees what a writer commits', () => {
    const file = path.join(tempDir(), 'slowatch.db');
    const writer = SlowatchStore.open({ path: file });
    writer.write({ sloRollups: [sloRow()] });
    const reader = SlowatchStore.open({ path: file, readonly: true });
    expect(reader.sloCounts({ slo: 'checkout', fromMs: T0, toMs: T0 + MINUTE })).toEqual({ good: 10, bad: 1 });
    writer.write({ sloRollups: [sloRow()] });
    expect(reader.sloCounts({ slo: 'checkout', fromMs: T0, toMs: T0 + MINUTE })).toEqual({ good: 20, bad: 2 });
    expect(() => reader.write({ sloRollups: [sloRow()] })).toThrow(/read-only/);
    reader.close();
    writer.close();
    reader.close(); // idempotent
  });

  it('creates a missing directory only when writing', () => {
    const dir = path.join(tempDir(), 'data');
    mkdirSync(dir);
    const store = SlowatchStore.open({ path: path.join(dir, 'sub', 'x.db') });
    store.close();
    expect(filesIn(path.join(dir, 'sub'))).toEqual(['x.db']);
  });
});
