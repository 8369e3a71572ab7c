import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { Component, ComponentContext } from '../../src/pipeline/component';
import type { Consumer } from '../../src/pipeline/consumer';
import { BackpressureError, PermanentError } from '../../src/pipeline/pipeline-errors';
import type { TelemetryBatch } from '../../src/pipeline/telemetry-batch';
import { decodeProtobufRequest, encodeProtobufRequest, MAX_ANY_VALUE_DEPTH_CEILING } from '../../src/otlp/codec';
import { ITEM_NOUN, SIGNALS } from '../../src/otlp/signal';
import type { QueueStorageClient, QueueStorageHost } from '../../src/storage/persistent-queue';
import { ExponentialBackoff } from './backoff';
import type { OtlpExporterSettings } from './config';
import { ExporterMetrics, FailureLog } from './exporter-metrics';
import { GrpcTransport } from './grpc-transport';
import { HttpTransport } from './http-transport';
import type { SendResult } from './send-result';
import { SendingQueue } from './sending-queue';
import { PersistentSendingQueue } from './persistent-sending-queue';
import type { StoredBatch } from './persistent-sending-queue';
import type { PreparedRequest, Transport } from './transport';
import { InterruptibleSleeps } from './interruptible-sleeps';

export interface OtlpExporterOptions {
  /** Replaces the HTTP/gRPC transport the protocol selects (tests). */
  readonly transport?: Transport;
  /** Uniform in [0, 1), for the backoff's jitter (tests). @default Math.random */
  readonly random?: () => number;
  /**
   * How long shutdown keeps sending what is queued before it gives the rest
   * up. @default max(2 × timeout, 10 s)
   */
  readonly drainTimeoutMs?: number;
}

/** Everything shutdown gave up (or, with the persistent queue, left on disk), for its one log line. */
interface Dropped {
  batches: number;
  items: number;
}

/**
 * How a queued batch's sending ended: settled (sent, or failed and counted),
 * abandoned at shutdown after a request was written, or given up at
 * shutdown before any request was written ('unsent').
 */
type DeliveryOutcome = 'settled' | 'abandoned' | 'unsent';

/**
 * The `otlp` exporter: forwards batches to a downstream OTLP endpoint over
 * HTTP (protobuf or JSON) or gRPC.
 *
 * With the sending queue (the default), `consume` only queues: num_consumers
 * workers send from the queue, each retrying its batch with exponential
 * backoff on the retryable failures until it is sent, rejected for good, or
 * max_elapsed_time has passed. A full queue refuses the batch with a
 * BackpressureError (the receiver answers 503 / UNAVAILABLE with
 * Retry-After), so nothing is dropped silently.
 *
 * Memory is bounded: queue_size batches (and max_items items) waiting, plus
 * one batch, and its encoded copy, per consumer being sent.
 *
 * With `sending_queue.storage`, the queue is on disk in the storage
 * extension's store (PersistentSendingQueue): `consume` encodes the batch in
 * OTLP protobuf and resolves once the row is committed, so a receiver
 * answers 200 only for data on disk. Workers read the oldest rows, send them
 * with the same retries, and delete a row only once it is settled (sent,
 * refused for good: counted and logged once per kind). A failing store
 * (disk full) strands nothing: the dispatched mark is best effort, a failed
 * delete is retried. Shutdown does not drain the disk: it makes no further
 * retry (a request already written gets the drain time), what is left is
 * sent at the next start, and a batch in flight at a crash is sent again
 * then (at least once; counted in
 * slowatch_exporter_queue_redelivered_batches_total). A full queue (queue_size
 * batches or max_bytes) or a failing write refuses with a BackpressureError:
 * back-pressure, never loss. Memory: num_consumers batches being sent.
 *
 * Without the queue, `consume` makes one attempt and maps its outcome: a
 * retryable failure becomes a BackpressureError (the client retries, with
 * the Retry-After we pass on), a permanent one a PermanentError. It does not
 * retry itself, so a receiver's request never waits for minutes of backoff.
 */
export class OtlpExporter implements Component, Consumer, QueueStorageClient {
  readonly metrics: ExporterMetrics;
  private readonly transport: Transport;
  private readonly queue?: SendingQueue;
  private diskQueue?: PersistentSendingQueue;
  private queueStorage?: QueueStorageHost;
  private readonly failures: FailureLog;
  private readonly random: () => number;
  private readonly drainTimeoutMs: number;
  private readonly workers: Promise<void>[] = [];
  /** Timers of workers waiting to retry, woken early when shutdown gives up. */
  private readonly sleeps = new InterruptibleSleeps();
  /** Batches being sent right now (taken from the queue, or consume's own without a queue). */
  private active = 0;
  private idleWaiters: (() => void)[] = [];
  /** The last retry wait chosen, for the Retry-After of refusals; 0 after a success. */
  private lastRetryDelayMs = 0;
  private started = false;
  private stopping = false;
  /**
   * No further attempt: shutdown's drain time is over (give up every batch
   * still held), or, with the disk queue, shutdown began (every batch is safe
   * on disk, so a retry would only hold shutdown up).
   */
  private abandoned = false;
  private readonly dropped: Dropped = { batches: 0, items: 0 };
  private shutdownPromise?: Promise<void>;

  constructor(
    private readonly settings: OtlpExporterSettings,
    private readonly ctx: ComponentContext,
    options: OtlpExporterOptions = {},
  ) {
    this.transport = options.transport ?? (settings.protocol === 'grpc' ? new GrpcTransport(settings) : new HttpTransport(settings, ctx.clock));
    this.random = options.random ?? Math.random;
    this.drainTimeoutMs = options.drainTimeoutMs ?? Math.max(2 * settings.timeoutMs, 10_000);
    this.failures = new FailureLog(ctx.logger, `exporter ${ctx.id}`);
    this.metrics = new ExporterMetrics(ctx.meter, ctx.id, { withQueue: settings.sendingQueue.enabled, persistentQueue: settings.sendingQueue.storage !== undefined });
    if (settings.sendingQueue.enabled && settings.sendingQueue.storage === undefined) {
      const queue = new SendingQueue(settings.sendingQueue.queueSize, settings.sendingQueue.maxItems);
      this.queue = queue;
      this.metrics.observeQueue(() => queue.size, queue.capacity);
    }
  }

  /** Batches waiting in the sending queue (0 without one); on disk: every batch stored, in flight included. */
  get queueSize(): number {
    return this.queue?.size ?? this.diskQueue?.size ?? 0;
  }

  /** The storage extension holding the persistent queue (`sending_queue.storage`). */
  get queueStorageId(): string | undefined {
    return this.settings.sendingQueue.storage;
  }

  /** Called by the service before start with the extension named by queueStorageId. */
  attachQueueStorage(host: QueueStorageHost): void {
    this.queueStorage = host;
  }

  async start(): Promise<void> {
    if (this.started) return;
    const storage = this.settings.sendingQueue.storage;
    if (storage !== undefined) this.openDiskQueue(storage);
    await this.transport.start();
    this.started = true;
    if (this.queue !== undefined) {
      for (let i = 0; i < this.settings.sendingQueue.numConsumers; i++) this.workers.push(this.work(this.queue));
    }
    if (this.diskQueue !== undefined) {
      for (let i = 0; i < this.settings.sendingQueue.numConsumers; i++) this.workers.push(this.workFromDisk(this.diskQueue));
    }
  }

  private openDiskQueue(storage: string): void {
    if (this.queueStorage === undefined) throw new Error(`sending_queue.storage: extension "${storage}" was not attached (is it listed in service.extensions?)`);
    const { queueSize, maxBytes } = this.settings.sendingQueue;
    const queue = new PersistentSendingQueue(this.queueStorage.openQueue(this.ctx.id), queueSize, maxBytes);
    this.diskQueue = queue;
    this.metrics.observeQueue(() => queue.waiting, queue.capacity);
    this.metrics.observeQueueBytes(() => queue.bytes);
    const left = queue.size > 0 ? `; ${queue.size} batches (${queue.bytes} bytes) left by the previous run are sent first` : '';
    this.ctx.logger.info(`exporter ${this.ctx.id}: persistent sending queue in extension ${storage} (${queueSize} batches, ${maxBytes} bytes at most)${left}`);
  }

  consume(batch: TelemetryBatch): Promise<void> {
    if (this.stopping || !this.started) {
      this.metrics.enqueueFailed(batch.signal, batch.itemCount);
      return Promise.reject(new BackpressureError(`exporter ${this.ctx.id} is ${this.stopping ? 'shutting down' : 'not started'}`, 1));
    }
    if (this.diskQueue !== undefined) return this.store(this.diskQueue, batch);
    if (this.queue === undefined) return this.sendNow(batch);
    if (!this.queue.offer(batch)) {
      this.metrics.enqueueFailed(batch.signal, batch.itemCount);
      const limit = this.settings.sendingQueue.maxItems !== undefined ? ` or ${this.settings.sendingQueue.maxItems} items` : '';
      this.failures.warnOnce(
        'queue full',
        `the sending queue is full (${this.queue.capacity} batches${limit}); refusing batches (503 / UNAVAILABLE to clients) until the downstream catches up`,
      );
      return Promise.reject(new BackpressureError(`exporter ${this.ctx.id}: the sending queue is full`, this.retryAfterSeconds()));
    }
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.drainAndClose();
    return this.shutdownPromise;
  }

  // -------------------------------------------------------------------------

  /** Commits the batch to the persistent queue, then resolves: the receiver answers 200 for data on disk only. */
  private store(queue: PersistentSendingQueue, batch: TelemetryBatch): Promise<void> {
    let body: Uint8Array;
    try {
      body = encodeProtobufRequest(batch.signal, batch.request);
    } catch (error) {
      this.fail(batch, 'encode', `encoding ${ITEM_NOUN[batch.signal].many} for the persistent queue`, error);
      return Promise.reject(new PermanentError(`exporter ${this.ctx.id}: the batch cannot be encoded`));
    }
    let refusal: ReturnType<PersistentSendingQueue['offer']>;
    try {
      refusal = queue.offer(batch.signal, batch.itemCount, body, this.ctx.clock.now());
    } catch (error) {
      // Disk full, I/O error, a locked file: nothing was stored; the client retries.
      this.metrics.enqueueFailed(batch.signal, batch.itemCount);
      this.failures.record('storage write', 'storing a batch in the persistent queue (clients are told to retry)', error);
      return Promise.reject(new BackpressureError(`exporter ${this.ctx.id}: the persistent queue cannot be written`, this.retryAfterSeconds()));
    }
    if (refusal !== undefined) {
      this.metrics.enqueueFailed(batch.signal, batch.itemCount);
      if (refusal === 'full') {
        this.failures.warnOnce(
          'queue full',
          `the persistent sending queue is full (${queue.capacity} batches or ${queue.maxBytes} bytes); refusing batches (503 / UNAVAILABLE to clients) until the downstream catches up`,
        );
      }
      return Promise.reject(new BackpressureError(`exporter ${this.ctx.id}: the sending queue is ${refusal === 'full' ? 'full' : 'closed'}`, this.retryAfterSeconds()));
    }
    return Promise.resolve();
  }

  /** Seconds a refused client should wait: the current backoff, at least 1. */
  private retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.lastRetryDelayMs / 1000));
  }

  private async work(queue: SendingQueue): Promise<void> {
    for (;;) {
      const batch = await queue.take();
      if (batch === undefined) return;
      this.active++;
      try {
        if ((await this.deliver(batch)) !== 'settled') this.drop(batch);
      } catch (error) {
        // deliver counts every outcome itself; this is a bug guard so a worker never dies.
        this.metrics.sendFailed(batch.signal, batch.itemCount);
        this.failures.record('internal', 'sending', error);
      } finally {
        this.active--;
        this.notifyIfIdle();
      }
    }
  }

  /** Sends the persistent queue's batches, oldest first; a batch leaves the disk once settled. */
  private async workFromDisk(queue: PersistentSendingQueue): Promise<void> {
    for (;;) {
      let stored: StoredBatch | undefined;
      try {
        stored = await queue.take();
      } catch (error) {
        this.failures.record('storage read', 'reading the persistent queue (retrying every second)', error);
        await this.sleeps.sleep(1000);
        if (this.stopping) return;
        continue;
      }
      if (stored === undefined) return;
      this.active++;
      let failed = false;
      try {
        await this.deliverStored(queue, stored);
      } catch (error) {
        // A bug guard so a worker never dies; the row stays on disk and is handed out again (or sent at the next start).
        failed = true;
        queue.release(stored, true);
        this.failures.record('internal', 'sending from the persistent queue', error);
      } finally {
        this.active--;
        this.notifyIfIdle();
      }
      // Not a hot loop on a batch that keeps failing: shutdown wakes this wait.
      if (failed) await this.sleeps.sleep(1000);
    }
  }

  private async deliverStored(queue: PersistentSendingQueue, stored: StoredBatch): Promise<void> {
    const signal = SIGNALS.find((s) => s === stored.signal);
    let batch: TelemetryBatch | undefined;
    try {
      if (signal === undefined) throw new Error(`unknown signal ${JSON.stringify(stored.signal)}`);
      // The depth ceiling and 'replace': the data passed a receiver's checks already; never refuse it now.
      const request = decodeProtobufRequest(signal, stored.body, { maxAnyValueDepth: MAX_ANY_VALUE_DEPTH_CEILING, invalidUtf8: 'replace' });
      batch = { signal, request, itemCount: stored.itemCount };
    } catch (error) {
      this.metrics.sendFailed(signal ?? 'traces', stored.itemCount);
      this.failures.record('stored batch unreadable', `reading batch ${stored.id} of the persistent queue (deleted)`, error);
      this.settleStored(queue, stored);
      return;
    }
    if (stored.redelivery) this.metrics.redelivered(1);
    try {
      queue.markDispatched(stored);
    } catch (error) {
      // Best effort (disk full): the batch is sent anyway; only a crash's redelivery count is lost.
      this.failures.record('storage update', 'marking a batch as being sent in the persistent queue (sent anyway)', error);
    }
    const outcome = await this.deliver(batch);
    if (outcome !== 'settled') {
      queue.release(stored, outcome === 'abandoned');
      this.dropped.batches++;
      this.dropped.items += batch.itemCount;
      return;
    }
    this.settleStored(queue, stored);
  }

  private settleStored(queue: PersistentSendingQueue, stored: StoredBatch): void {
    try {
      queue.settle(stored);
    } catch (error) {
      this.failures.record('storage delete', 'deleting a settled batch from the persistent queue (retried at the next enqueue)', error);
    }
  }

  /** Sends one queued batch, retrying as configured; counts its outcome (not 'abandoned': the caller decides). */
  private async deliver(batch: TelemetryBatch): Promise<DeliveryOutcome> {
    const prepared = await this.prepare(batch);
    if (prepared === undefined) return 'settled';
    const startedAt = this.ctx.clock.now();
    const backoff = new ExponentialBackoff(this.settings.retry, this.random);
    const { retry } = this.settings;
    for (let attempted = false; ; attempted = true) {
      if (this.abandoned) return attempted ? 'abandoned' : 'unsent';
      const result = await this.attempt(batch, prepared);
      switch (result.kind) {
        case 'ok':
          this.lastRetryDelayMs = 0;
          this.countSuccess(batch, result);
          return 'settled';
        case 'aborted':
          return 'abandoned';
        case 'permanent':
          this.fail(batch, result.failureKind, `sending ${ITEM_NOUN[batch.signal].many} (${result.failureKind}, not retryable)`, result.reason);
          return 'settled';
        case 'retryable': {
          if (!retry.enabled) {
            this.fail(batch, result.failureKind, `sending ${ITEM_NOUN[batch.signal].many} (${result.failureKind}, retry_on_failure disabled)`, result.reason);
            return 'settled';
          }
          const delay = Math.max(backoff.nextDelayMs(), result.retryAfterMs ?? 0);
          const elapsed = this.ctx.clock.now() - startedAt;
          if (retry.maxElapsedTimeMs > 0 && elapsed + delay > retry.maxElapsedTimeMs) {
            this.fail(
              batch,
              'max_elapsed_time',
              `sending ${ITEM_NOUN[batch.signal].many} (gave up after retrying for max_elapsed_time ${retry.maxElapsedTimeMs} ms)`,
              `last error: ${result.reason}`,
            );
            return 'settled';
          }
          this.lastRetryDelayMs = delay;
          this.ctx.logger.debug(`exporter ${this.ctx.id}: ${result.reason}; retrying in ${delay} ms`);
          await this.sleeps.sleep(delay);
          break;
        }
      }
    }
  }

  /** Without a queue: one attempt, its failure mapped for the receiver. */
  private async sendNow(batch: TelemetryBatch): Promise<void> {
    this.active++;
    try {
      const prepared = await this.prepare(batch);
      if (prepared === undefined) throw new PermanentError(`exporter ${this.ctx.id}: the batch cannot be encoded`);
      const result = await this.attempt(batch, prepared);
      switch (result.kind) {
        case 'ok':
          this.countSuccess(batch, result);
          return;
        case 'aborted':
          this.metrics.sendFailed(batch.signal, batch.itemCount);
          throw new BackpressureError(`exporter ${this.ctx.id} is shutting down`, 1);
        case 'permanent':
          this.fail(batch, result.failureKind, `sending ${ITEM_NOUN[batch.signal].many} (${result.failureKind}, not retryable)`, result.reason);
          throw new PermanentError(`the downstream rejected the data: ${result.reason}`);
        case 'retryable': {
          this.fail(batch, result.failureKind, `sending ${ITEM_NOUN[batch.signal].many} (${result.failureKind}; the client is asked to retry)`, result.reason);
          const waitMs = result.retryAfterMs ?? this.settings.retry.initialIntervalMs;
          throw new BackpressureError(`the downstream is unavailable: ${result.reason}`, Math.max(1, Math.ceil(waitMs / 1000)));
        }
      }
    } finally {
      this.active--;
      this.notifyIfIdle();
    }
  }

  private async prepare(batch: TelemetryBatch): Promise<PreparedRequest | undefined> {
    try {
      return await context.with(suppressTracing(context.active()), () => this.transport.prepare(batch.signal, batch.request));
    } catch (error) {
      this.fail(batch, 'encode', `encoding ${ITEM_NOUN[batch.signal].many}`, error);
      return undefined;
    }
  }

  /** One send, never traced: the gateway's own requests must not show up in the traces it forwards. */
  private attempt(batch: TelemetryBatch, prepared: PreparedRequest): Promise<SendResult> {
    return context.with(suppressTracing(context.active()), () => this.transport.send(batch.signal, prepared));
  }

  private countSuccess(batch: TelemetryBatch, result: Extract<SendResult, { kind: 'ok' }>): void {
    const rejected = Math.min(Math.max(0, result.rejected), batch.itemCount);
    this.metrics.sent(batch.signal, batch.itemCount - rejected);
    if (rejected > 0 || result.errorMessage !== '') {
      this.metrics.sendFailed(batch.signal, rejected);
      const noun = ITEM_NOUN[batch.signal];
      const message = result.errorMessage !== '' ? `: ${result.errorMessage}` : '';
      // rejected 0 with a message is the specification's way of sending a warning.
      this.failures.warnOnce(
        'partial success',
        rejected > 0
          ? `the downstream rejected ${rejected} of ${batch.itemCount} ${noun.many} (partial success)${message}`
          : `the downstream accepted all ${batch.itemCount} ${noun.many} with a warning (partial success)${message}`,
      );
    }
  }

  private fail(batch: TelemetryBatch, kind: string, what: string, error: unknown): void {
    this.metrics.sendFailed(batch.signal, batch.itemCount);
    this.failures.record(kind, what, error instanceof Error ? error : new Error(String(error)));
  }

  /** Given up at shutdown: counted, and reported in shutdown's one line. */
  private drop(batch: TelemetryBatch): void {
    this.metrics.sendFailed(batch.signal, batch.itemCount);
    this.dropped.batches++;
    this.dropped.items += batch.itemCount;
  }

  /** Nothing being sent and nothing left to send in memory (the disk queue is not drained at shutdown). */
  private isIdle(): boolean {
    return this.active === 0 && (this.queue?.size ?? 0) === 0;
  }

  private notifyIfIdle(): void {
    if (this.isIdle()) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drainAndClose(): Promise<void> {
    this.stopping = true;
    // Idle workers leave; busy ones keep taking what is queued in memory until it is empty. The disk
    // queue hands out nothing more: what is on disk waits for the next start; the batches in flight
    // get the drain time to settle.
    this.queue?.close();
    if (this.diskQueue !== undefined) {
      this.diskQueue.close();
      // Every batch is safe on disk: no retry from here on (the rows stay for the next start); a request
      // already written gets the drain time to be answered.
      this.abandoned = true;
      this.sleeps.wakeAll();
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), this.drainTimeoutMs);
      timer.unref();
    });
    const outcome = await Promise.race([this.whenIdle().then(() => 'drained' as const), deadline]);
    clearTimeout(timer);
    if (outcome === 'deadline') {
      this.abandoned = true;
      for (const batch of this.queue?.drainAll() ?? []) this.drop(batch);
      this.transport.abortAll(`exporter ${this.ctx.id} is shutting down`);
      this.sleeps.wakeAll();
    }
    await Promise.all(this.workers);
    await this.whenIdle();
    if (this.diskQueue !== undefined) {
      const left = this.diskQueue.size;
      if (left > 0) this.ctx.logger.info(`exporter ${this.ctx.id}: ${left} batches stay in the persistent sending queue (${this.diskQueue.bytes} bytes); they are sent at the next start`);
    } else if (this.dropped.batches > 0) {
      this.ctx.logger.error(
        `exporter ${this.ctx.id}: shutdown gave up ${this.dropped.batches} batch${this.dropped.batches === 1 ? '' : 'es'} (${this.dropped.items} items) not sent within ${this.drainTimeoutMs} ms`,
      );
    }
    this.transport.close();
    this.metrics.close();
  }
}
