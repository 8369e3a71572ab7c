import type { PersistentQueueEntry, PersistentQueueTable } from '../../src/storage/persistent-queue';

/** A batch handed to a consumer: on disk until `settle` deletes it. */
export interface StoredBatch {
  readonly id: number;
  readonly signal: string;
  readonly itemCount: number;
  readonly bytes: number;
  /** The batch in OTLP protobuf. */
  readonly body: Uint8Array;
  /** An earlier process began sending it and died before it was settled: it may reach the downstream twice. */
  readonly redelivery: boolean;
}

/** Why `offer` refused a batch. */
export type OfferRefusal = 'full' | 'closed';

/**
 * Row ids kept in memory for a retry, per list (a delete that failed, a batch
 * released while running): 1024 × (id + size, ~50 bytes) ≈ 50 KiB at most.
 * Past it, a row stays on disk (counted) until the next start, as before.
 */
const MAX_RETAINED_ROWS = 1024;

/** A row this queue still has to deal with: its id, and its body's size (to uncount it). */
interface RowRef {
  readonly id: number;
  readonly bytes: number;
}

/**
 * The exporter's sending queue on disk (`sending_queue.storage`): a FIFO of
 * encoded batches in the storage extension's store (PersistentQueueTable).
 *
 * Invariants:
 * - `offer` returns only once the batch is committed to the store, so the
 *   receiver answers 200 only for data that is on disk;
 * - a batch is deleted only by `settle`, after the downstream accepted it or
 *   refused it for good; a batch being sent when the process dies stays on
 *   disk and is sent again at the next start (at least once). Before its
 *   first attempt it is marked dispatched, so that resend is counted as a
 *   redelivery (best effort: a failed mark loses only that count). At most
 *   num_consumers batches are in flight, hence at most num_consumers
 *   batches are delivered twice per crash;
 * - consumers take batches in order of arrival (ids increase): `cursor` is
 *   the id last handed out, and every row after it is still waiting. A row
 *   the cursor has passed is never stranded while the queue runs: a failed
 *   delete is retried (`undeleted`, at each offer and take) and a released
 *   batch is handed out again before the rows after the cursor (`released`),
 *   so a long disk-full outage does not leave the queue full of settled rows;
 * - the counters (`entries`, `totalBytes`) count the rows present at open
 *   (ids up to `countedUpTo`) and the rows this queue appended (`ownRows`);
 *   a counted row leaves them when settled, even when its delete finds it
 *   already gone (deleted by another instance during a reload), so they
 *   never drift up;
 * - disk use is capped: at most `capacity` batches and `maxBytes` bytes of
 *   bodies (in flight included, since they are still on disk); a full queue
 *   refuses, it never drops. One exception, as in the in-memory queue: a
 *   single batch larger than maxBytes is let into an empty queue, or it
 *   could never be sent (the receiver's request size limit bounds it).
 *
 * Memory: the totals, the waiting consumers, the ids this queue appended and
 * still counts (at most capacity + 1 numbers, ~40 bytes each) and the two
 * retry lists (MAX_RETAINED_ROWS each); batch bodies are read one at a time
 * by the consumers (num_consumers bodies at most).
 */
export class PersistentSendingQueue {
  private entries: number;
  private totalBytes: number;
  private cursor = 0;
  private inFlight = 0;
  private readonly takers: ((batch: StoredBatch | undefined) => void)[] = [];
  private closed = false;
  /** Rows up to this id were counted at open. */
  private readonly countedUpTo: number;
  /** Rows appended by this queue and still counted. */
  private readonly ownRows = new Set<number>();
  /** Settled rows whose delete failed: deleted again at the next offer or take. */
  private readonly undeleted: RowRef[] = [];
  /** Rows released unsettled while the queue runs: handed out again before the rows after the cursor. */
  private readonly released: RowRef[] = [];

  /** Reads the totals of what an earlier process left (one scan of the queue's rows). */
  constructor(
    private readonly table: PersistentQueueTable,
    readonly capacity: number,
    readonly maxBytes: number,
  ) {
    const totals = table.totals();
    this.entries = totals.entries;
    this.totalBytes = totals.bytes;
    this.countedUpTo = table.lastId();
  }

  /** Batches on disk, in flight included. */
  get size(): number {
    return this.entries;
  }

  /** Batches on disk not being sent (nor settled and waiting for their delete). */
  get waiting(): number {
    return Math.max(0, this.entries - this.inFlight - this.undeleted.length);
  }

  /** Bytes of the batches on disk. */
  get bytes(): number {
    return this.totalBytes;
  }

  /**
   * Stores a batch (committed when this returns) and hands it to a waiting
   * consumer, if any. Returns the refusal when full or closed. Retries the
   * failed deletes first, so a queue full of settled rows frees itself once
   * the disk recovers.
   * @throws the store's error when the write fails (disk full, I/O error): nothing was stored.
   */
  offer(signal: string, itemCount: number, body: Uint8Array, nowMs: number): OfferRefusal | undefined {
    if (this.closed) return 'closed';
    this.retryDeletes();
    if (this.entries >= this.capacity) return 'full';
    if (this.entries > 0 && this.totalBytes + body.byteLength > this.maxBytes) return 'full';
    const id = this.table.append({ signal, items: itemCount, enqueuedMs: nowMs, body });
    this.entries++;
    this.totalBytes += body.byteLength;
    this.ownRows.add(id);
    const taker = this.takers.shift();
    // A consumer waits only when every row up to `cursor` was handed out (and nothing was released), so this row is the next one.
    if (taker !== undefined) taker(this.handOut({ id, signal, itemCount, bytes: body.byteLength, body, redelivery: false }));
    return undefined;
  }

  /**
   * The oldest batch not yet handed out (a released one first); waits for
   * one when there is none; undefined once closed. Retries the failed
   * deletes first.
   * @throws the store's error when the read fails.
   */
  take(): Promise<StoredBatch | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    this.retryDeletes();
    for (let again = this.released.shift(); again !== undefined; again = this.released.shift()) {
      let entry: PersistentQueueEntry | undefined;
      try {
        entry = this.table.entry(again.id);
      } catch (error) {
        this.released.unshift(again);
        throw error;
      }
      if (entry !== undefined) return Promise.resolve(this.handOut(storedBatch(entry)));
      this.uncount(again); // gone meanwhile: nothing left to send
    }
    const entry = this.table.next(this.cursor);
    if (entry !== undefined) return Promise.resolve(this.handOut(storedBatch(entry)));
    return new Promise((resolve) => this.takers.push(resolve));
  }

  /**
   * Marks a batch as being sent (before its first attempt): after a crash, its resend counts as a redelivery.
   * @throws the store's error when the update fails: send the batch anyway (only the redelivery count is lost).
   */
  markDispatched(batch: StoredBatch): void {
    if (!batch.redelivery) this.table.markDispatched(batch.id);
  }

  /**
   * Deletes a batch whose fate is settled (sent, or refused for good) and
   * uncounts it, also when it was already gone.
   * @throws the store's error when the delete fails: the row is deleted again at the next offer or take
   *   (or, past MAX_RETAINED_ROWS or after close, sent again at the next start).
   */
  settle(batch: StoredBatch): void {
    this.inFlight--;
    const row: RowRef = { id: batch.id, bytes: batch.bytes };
    try {
      this.table.remove(row.id);
    } catch (error) {
      if (this.undeleted.length < MAX_RETAINED_ROWS) this.undeleted.push(row);
      throw error;
    }
    this.uncount(row);
  }

  /**
   * A batch left on disk unsettled (shutdown, or a failure while sending).
   * While the queue runs, it is handed out again by a later take; after
   * close, the next start sends it. `requestWritten` false (no attempt began)
   * undoes its dispatched mark, best effort, so the next start does not
   * count it as a redelivery.
   */
  release(batch: StoredBatch, requestWritten: boolean): void {
    this.inFlight--;
    if (!requestWritten && !batch.redelivery) {
      try {
        this.table.clearDispatched(batch.id);
      } catch {
        // Only the redelivery count is at stake.
      }
    }
    if (!this.closed && this.released.length < MAX_RETAINED_ROWS) this.released.push({ id: batch.id, bytes: batch.bytes });
  }

  /** Hands out nothing more (batches stay on disk for the next start) and releases waiting consumers. */
  close(): void {
    this.closed = true;
    this.released.length = 0;
    for (const taker of this.takers.splice(0)) taker(undefined);
  }

  /** Deletes the settled rows whose delete failed, oldest first; stops at the first failure (the disk is still failing). */
  private retryDeletes(): void {
    for (let row = this.undeleted.at(0); row !== undefined; row = this.undeleted.at(0)) {
      try {
        this.table.remove(row.id);
      } catch {
        return; // its failure was logged when the settle failed; retried at the next offer or take
      }
      this.undeleted.shift();
      this.uncount(row);
    }
  }

  /** A row leaves the counters if this queue counted it (present at open, or appended here). */
  private uncount(row: RowRef): void {
    if (row.id > this.countedUpTo && !this.ownRows.delete(row.id)) return;
    this.entries = Math.max(0, this.entries - 1);
    this.totalBytes = Math.max(0, this.totalBytes - row.bytes);
  }

  private handOut(batch: StoredBatch): StoredBatch {
    this.cursor = Math.max(this.cursor, batch.id);
    this.inFlight++;
    return batch;
  }
}

function storedBatch(entry: PersistentQueueEntry): StoredBatch {
  return { id: entry.id, signal: entry.signal, itemCount: entry.items, bytes: entry.bytes, body: entry.body, redelivery: entry.dispatched };
}
