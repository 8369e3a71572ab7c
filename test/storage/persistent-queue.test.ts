import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SlowatchStore } from '../../src/storage/slowatch-store';
import { STORE_MIGRATIONS } from '../../src/storage/store-migrations';
import { useTempDir } from './store-test-files';

// Bound: well under a second (small SQLite files in a temporary directory).

const body = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('store migration 2: the exporter queue table', () => {
  const tempDir = useTempDir();

  it('upgrades a version 1 store in place: its rows are kept and exporter_queue is added', () => {
    const file = path.join(tempDir(), 'slowatch.db');
    const v1 = SlowatchStore.open({ path: file, migrations: STORE_MIGRATIONS.slice(0, 1) });
    expect(v1.schemaVersion).toBe(1);
    v1.saveSnapshots([{ component: 'slo/slo', format: 1, data: new Uint8Array([1, 2, 3]) }], 1000);
    v1.close();

    const upgraded = SlowatchStore.open({ path: file });
    expect(upgraded.schemaVersion).toBe(2);
    expect(upgraded.loadSnapshot('slo/slo')?.data).toEqual(Buffer.from([1, 2, 3]));
    const queue = upgraded.queueTable('otlp');
    expect(queue.totals()).toEqual({ entries: 0, bytes: 0, items: 0 });
    queue.append({ signal: 'traces', items: 2, enqueuedMs: 5, body: body('a') });
    upgraded.close();

    const db = new Database(file, { readonly: true });
    const columns = (db.prepare('PRAGMA table_info(exporter_queue)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).toEqual(['id', 'queue', 'signal', 'items', 'bytes', 'enqueued_ms', 'dispatched', 'body']);
    expect(db.prepare('SELECT count(*) AS n FROM exporter_queue').get()).toEqual({ n: 1 });
    db.close();
  });
});

describe('PersistentQueueTable', () => {
  const tempDir = useTempDir();

  it('keeps entries in order of arrival, per queue name, across a reopen', () => {
    const file = path.join(tempDir(), 'slowatch.db');
    const store = SlowatchStore.open({ path: file });
    const a = store.queueTable('otlp/a');
    const b = store.queueTable('otlp/b');
    const ids = ['1', '2', '3'].map((n) => a.append({ signal: 'traces', items: Number(n), enqueuedMs: Number(n), body: body(`a${n}`) }));
    b.append({ signal: 'logs', items: 7, enqueuedMs: 9, body: body('b1') });
    expect(ids[0]! < ids[1]! && ids[1]! < ids[2]!).toBe(true);
    expect(a.totals()).toEqual({ entries: 3, bytes: 6, items: 6 });
    expect(b.totals()).toEqual({ entries: 1, bytes: 2, items: 7 });
    // The newest row deleted: AUTOINCREMENT never hands its id out again, so order stays arrival order.
    expect(a.remove(ids[2]!)).toBe(true);
    expect(a.remove(ids[2]!)).toBe(false);
    const later = a.append({ signal: 'traces', items: 4, enqueuedMs: 4, body: body('a4') });
    expect(later).toBeGreaterThan(ids[2]!);
    store.close();

    const reopened = SlowatchStore.open({ path: file });
    const again = reopened.queueTable('otlp/a');
    const seen: string[] = [];
    for (let entry = again.next(0); entry !== undefined; entry = again.next(entry.id)) seen.push(entry.body.toString('utf8'));
    expect(seen).toEqual(['a1', 'a2', 'a4']);
    expect(reopened.queueTable('otlp/b').next(0)).toMatchObject({ signal: 'logs', items: 7, bytes: 2, enqueuedMs: 9, dispatched: false });
    reopened.close();
  });

  it('remembers which entries began to be sent, and never touches another queue', () => {
    const store = SlowatchStore.open({ path: path.join(tempDir(), 'slowatch.db') });
    const a = store.queueTable('a');
    const b = store.queueTable('b');
    const id = a.append({ signal: 'traces', items: 1, enqueuedMs: 0, body: body('x') });
    b.markDispatched(id);
    expect(b.remove(id)).toBe(false);
    expect(a.next(0)?.dispatched).toBe(false);
    a.markDispatched(id);
    expect(a.next(0)?.dispatched).toBe(true);
    store.close();
  });

  it('is refused on a read-only store', () => {
    const file = path.join(tempDir(), 'slowatch.db');
    SlowatchStore.open({ path: file }).close();
    const reader = SlowatchStore.open({ path: file, readonly: true });
    expect(() => reader.queueTable('otlp')).toThrow(/read-only/);
    reader.close();
  });
});
