import type { TelemetryBatch } from '../../src/pipeline/telemetry-batch';

/**
 * The exporter's bounded FIFO of batches waiting to be sent.
 *
 * Memory bound: at most `capacity` batches wait here, and when `maxItems` is
 * set, at most that many items (spans, metric points, log records) in all
 * of them together; one exception, a single batch larger than `maxItems` is
 * let into an empty queue (otherwise it could never be sent; the receiver's
 * request size limit bounds it). Batches being sent are not in the queue:
 * the exporter holds at most `num_consumers` more.
 */
export class SendingQueue {
  private items: (TelemetryBatch | undefined)[] = [];
  private head = 0;
  private queuedItems = 0;
  /** Workers waiting for a batch, oldest first. */
  private readonly takers: ((batch: TelemetryBatch | undefined) => void)[] = [];
  private closed = false;

  constructor(
    readonly capacity: number,
    readonly maxItems?: number,
  ) {}

  /** Batches waiting. */
  get size(): number {
    return this.items.length - this.head;
  }

  /** Items in the waiting batches. */
  get itemCount(): number {
    return this.queuedItems;
  }

  /** Adds a batch, or hands it straight to a waiting worker; false when full. */
  offer(batch: TelemetryBatch): boolean {
    if (this.closed) return false;
    const taker = this.takers.shift();
    if (taker !== undefined) {
      taker(batch);
      return true;
    }
    if (this.size >= this.capacity) return false;
    if (this.maxItems !== undefined && this.size > 0 && this.queuedItems + batch.itemCount > this.maxItems) return false;
    this.items.push(batch);
    this.queuedItems += batch.itemCount;
    return true;
  }

  /** The oldest batch; waits for one when empty; undefined once closed. */
  take(): Promise<TelemetryBatch | undefined> {
    const batch = this.poll();
    if (batch !== undefined || this.closed) return Promise.resolve(batch);
    return new Promise((resolve) => this.takers.push(resolve));
  }

  /** The oldest batch without waiting. */
  poll(): TelemetryBatch | undefined {
    if (this.size === 0) return undefined;
    const batch = this.items[this.head];
    this.items[this.head] = undefined;
    this.head++;
    // Compact now and then so the array does not grow without bound.
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (batch !== undefined) this.queuedItems -= batch.itemCount;
    return batch;
  }

  /** Refuses further batches and releases waiting workers; batches already queued can still be taken. */
  close(): void {
    this.closed = true;
    for (const taker of this.takers.splice(0)) taker(undefined);
  }

  /** Removes and returns every waiting batch. */
  drainAll(): TelemetryBatch[] {
    const rest: TelemetryBatch[] = [];
    for (let batch = this.poll(); batch !== undefined; batch = this.poll()) rest.push(batch);
    return rest;
  }
}
