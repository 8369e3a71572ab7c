import type { Signal } from '../../src/otlp/signal';
import type { ExportRequest } from '../../src/otlp/export-request';
import type { Component } from '../../src/pipeline/component';
import type { Consumer } from '../../src/pipeline/consumer';
import { BackpressureError } from '../../src/pipeline/pipeline-errors';
import type { TelemetryBatch } from '../../src/pipeline/telemetry-batch';
import type { BatchProcessorSettings } from './config';
import { mergeRequests } from './merge-requests';

interface Waiting {
  readonly batch: TelemetryBatch;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Groups requests of one signal into larger ones, as the Collector's batch
 * processor does: a batch leaves when it holds `send_batch_size` items or
 * when its oldest request has waited `timeout`.
 *
 * Unlike a fire-and-forget batcher, `consume` settles only when the batch
 * carrying its request has been accepted (or refused) downstream, so
 * back-pressure and errors reach the receiver and its client instead of
 * being swallowed here. Memory: at most the requests of in-flight calls,
 * which the receivers bound (connections × max body size).
 *
 * `send_batch_max_size` splits at request boundaries: a batch is cut before
 * the request that would take it over the limit; one request larger than the
 * limit travels alone, unsplit.
 */
export class BatchProcessor implements Consumer, Component {
  private pending: Waiting[] = [];
  private pendingItems = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly signal: Signal,
    private readonly settings: BatchProcessorSettings,
    private readonly next: Consumer,
  ) {}

  start(): Promise<void> {
    return Promise.resolve();
  }

  consume(batch: TelemetryBatch): Promise<void> {
    if (this.stopped) return Promise.reject(new BackpressureError('shutting down', 5));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ batch, resolve, reject });
      this.pendingItems += batch.itemCount;
      if (this.pendingItems >= this.settings.sendBatchSize) this.flush();
      else if (this.timer === undefined) {
        this.timer = setTimeout(() => this.flush(), this.settings.timeoutMs);
        this.timer.unref();
      }
    });
  }

  /** Sends everything pending now, cut into batches no larger than send_batch_max_size. */
  private flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const waiting = this.pending;
    this.pending = [];
    this.pendingItems = 0;
    for (const group of this.cut(waiting)) this.send(group);
  }

  private cut(waiting: readonly Waiting[]): Waiting[][] {
    const max = this.settings.sendBatchMaxSize;
    if (max === 0) return waiting.length === 0 ? [] : [[...waiting]];
    const groups: Waiting[][] = [];
    let group: Waiting[] = [];
    let items = 0;
    for (const w of waiting) {
      if (group.length > 0 && items + w.batch.itemCount > max) {
        groups.push(group);
        group = [];
        items = 0;
      }
      group.push(w);
      items += w.batch.itemCount;
    }
    if (group.length > 0) groups.push(group);
    return groups;
  }

  private send(group: readonly Waiting[]): void {
    const requests: ExportRequest[] = group.map((w) => w.batch.request);
    const itemCount = group.reduce((n, w) => n + w.batch.itemCount, 0);
    let sending: Promise<void>;
    try {
      sending = this.next.consume({ signal: this.signal, request: mergeRequests(this.signal, requests), itemCount });
    } catch (error) {
      sending = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const settled = sending.then(
      () => group.forEach((w) => w.resolve()),
      (error: unknown) => group.forEach((w) => w.reject(error instanceof Error ? error : new Error(String(error)))),
    );
    this.inFlight.add(settled);
    void settled.finally(() => this.inFlight.delete(settled));
  }

  /** Sends what is pending and waits for the batches already handed on. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    this.flush();
    await Promise.all([...this.inFlight]);
  }
}
