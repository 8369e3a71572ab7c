import type { Database, Statement } from 'better-sqlite3';

/** One batch waiting in a persistent queue, as stored. */
export interface PersistentQueueEntry {
  /** Increasing in order of arrival, never reused. */
  readonly id: number;
  readonly signal: string;
  /** Spans, metric points or log records in the batch. */
  readonly items: number;
  /** `body`'s length. */
  readonly bytes: number;
  readonly enqueuedMs: number;
  /** A process began sending it before: it may have reached the downstream already. */
  readonly dispatched: boolean;
  /** The batch, encoded by its writer (the otlp exporter: OTLP protobuf). */
  readonly body: Buffer;
}

/** What one append stores. */
export interface PersistentQueueAppend {
  readonly signal: string;
  readonly items: number;
  readonly enqueuedMs: number;
  readonly body: Uint8Array;
}

export interface PersistentQueueTotals {
  readonly entries: number;
  readonly bytes: number;
  readonly items: number;
}

interface EntryRow {
  id: number;
  signal: string;
  items: number;
  bytes: number;
  enqueuedMs: number;
  dispatched: number;
  body: Buffer;
}

/**
 * One named FIFO of batches in the store's `exporter_queue` table (schema
 * version 2), for the `otlp` exporter's `sending_queue.storage`.
 *
 * Durability: every method is one SQLite statement in autocommit, so it is
 * committed when it returns. The store runs WAL with `synchronous=NORMAL`: a
 * committed row is in the WAL file (written, not fsynced), so it survives the
 * process being killed (`kill -9`, a crash, the OOM killer) but a power cut or
 * kernel panic may lose the last commits (never corrupt the file).
 *
 * Memory: nothing is cached; a read returns one row (one batch body).
 * Synchronous (better-sqlite3), on the caller's thread: an append of a
 * batch of a few hundred spans costs tens of microseconds plus a write().
 */
export class PersistentQueueTable {
  private readonly statements: {
    readonly append: Statement<[string, string, number, number, number, Uint8Array]>;
    readonly next: Statement<[string, number], EntryRow>;
    readonly entry: Statement<[string, number], EntryRow>;
    readonly markDispatched: Statement<[number, string]>;
    readonly clearDispatched: Statement<[number, string]>;
    readonly remove: Statement<[number, string]>;
    readonly totals: Statement<[string], { entries: number; bytes: number | null; items: number | null }>;
    readonly lastId: Statement<[string], { lastId: number | null }>;
  };

  constructor(
    db: Database,
    /** The queue's name: the exporter's component id. Rows of other queues are never touched. */
    readonly name: string,
  ) {
    this.statements = {
      append: db.prepare('INSERT INTO exporter_queue (queue, signal, items, bytes, enqueued_ms, body) VALUES (?, ?, ?, ?, ?, ?)'),
      next: db.prepare(
        `SELECT id, signal, items, bytes, enqueued_ms AS enqueuedMs, dispatched, body FROM exporter_queue
         WHERE queue = ? AND id > ? ORDER BY id LIMIT 1`,
      ),
      entry: db.prepare(
        `SELECT id, signal, items, bytes, enqueued_ms AS enqueuedMs, dispatched, body FROM exporter_queue
         WHERE queue = ? AND id = ?`,
      ),
      markDispatched: db.prepare('UPDATE exporter_queue SET dispatched = 1 WHERE id = ? AND queue = ?'),
      clearDispatched: db.prepare('UPDATE exporter_queue SET dispatched = 0 WHERE id = ? AND queue = ?'),
      remove: db.prepare('DELETE FROM exporter_queue WHERE id = ? AND queue = ?'),
      totals: db.prepare('SELECT count(*) AS entries, sum(bytes) AS bytes, sum(items) AS items FROM exporter_queue WHERE queue = ?'),
      lastId: db.prepare('SELECT max(id) AS lastId FROM exporter_queue WHERE queue = ?'),
    };
  }

  /** Stores a batch at the end of the queue; committed when it returns. Returns its id. */
  append(entry: PersistentQueueAppend): number {
    const result = this.statements.append.run(this.name, entry.signal, entry.items, entry.body.byteLength, entry.enqueuedMs, entry.body);
    return Number(result.lastInsertRowid);
  }

  /** The oldest entry after `afterId` (0: the oldest of all). */
  next(afterId: number): PersistentQueueEntry | undefined {
    return entryOf(this.statements.next.get(this.name, afterId));
  }

  /** The entry `id`, or undefined when it is not (or no longer) in the queue. */
  entry(id: number): PersistentQueueEntry | undefined {
    return entryOf(this.statements.entry.get(this.name, id));
  }

  /** Records that sending `id` begins: after a crash, its resend is counted as a redelivery. */
  markDispatched(id: number): void {
    this.statements.markDispatched.run(id, this.name);
  }

  /** Undoes markDispatched: sending `id` ended before any request was written (shutdown). */
  clearDispatched(id: number): void {
    this.statements.clearDispatched.run(id, this.name);
  }

  /** Deletes an entry once its fate is settled (accepted or refused for good). False when it was not there. */
  remove(id: number): boolean {
    return this.statements.remove.run(id, this.name).changes > 0;
  }

  /** Entries, bytes and items in the queue (one indexed scan: for start-up, not per batch). */
  totals(): PersistentQueueTotals {
    const row = this.statements.totals.get(this.name);
    return { entries: row?.entries ?? 0, bytes: row?.bytes ?? 0, items: row?.items ?? 0 };
  }

  /** The newest entry's id, 0 when the queue is empty. */
  lastId(): number {
    return this.statements.lastId.get(this.name)?.lastId ?? 0;
  }
}

function entryOf(row: EntryRow | undefined): PersistentQueueEntry | undefined {
  if (row === undefined) return undefined;
  return { id: row.id, signal: row.signal, items: row.items, bytes: row.bytes, enqueuedMs: row.enqueuedMs, dispatched: row.dispatched !== 0, body: row.body };
}

/**
 * A component that lends persistent queues in its store (the `storage`
 * extension). `openQueue` works once the component has started: the service
 * starts extensions before exporters.
 */
export interface QueueStorageHost {
  /** @throws Error when the store is not open (not started, or shut down). */
  openQueue(name: string): PersistentQueueTable;
}

export function isQueueStorageHost(component: unknown): component is QueueStorageHost {
  return typeof component === 'object' && component !== null && typeof (component as Partial<QueueStorageHost>).openQueue === 'function';
}

/**
 * A component that keeps a queue in a storage extension (an `otlp` exporter
 * with `sending_queue.storage`). The service calls `attachQueueStorage` with
 * the extension named by `queueStorageId` after building, before start.
 */
export interface QueueStorageClient {
  /** The storage extension's id, or undefined when the component keeps nothing on disk. */
  readonly queueStorageId: string | undefined;
  attachQueueStorage(host: QueueStorageHost): void;
}

export function isQueueStorageClient(component: unknown): component is QueueStorageClient {
  return typeof component === 'object' && component !== null && typeof (component as Partial<QueueStorageClient>).attachQueueStorage === 'function';
}
