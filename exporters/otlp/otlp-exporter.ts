import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { Component, ComponentContext } from '../../src/pipeline/component';
import type { Consumer } from '../../src/pipeline/consumer';
import { BackpressureError, PermanentError } from '../../src/pipeline/pipeline-errors';
import type { TelemetryBatch } from '../../src/pipeline/telemetry-batch';
import { ITEM_NOUN } from '../../src/otlp/signal';
import { ExponentialBackoff } from './backoff';
import type { OtlpExporterSettings } from './config';
import { ExporterMetrics, FailureLog } from './exporter-metrics';
import { GrpcTransport } from './grpc-transport';
import { HttpTransport } from './http-transport';
import type { SendResult } from './send-result';
import { SendingQueue } from './sending-queue';
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

/** Everything shutdown gave up, for its one log line. */
interface Dropped {
  batches: number;
  items: number;
}

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
 * Without the queue, `consume` makes one attempt and maps its outcome: a
 * retryable failure becomes a BackpressureError (the client retries, with
 * the Retry-After we pass on), a permanent one a PermanentError. It does not
 * retry itself, so a receiver's request never waits for minutes of backoff.
 */
export class OtlpExporter implements Component, Consumer {
  readonly metrics: ExporterMetrics;
  private readonly transport: Transport;
  private readonly queue?: SendingQueue;
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
  /** Shutdown's drain time is over: give up every batch still held. */
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
    this.metrics = new ExporterMetrics(ctx.meter, ctx.id, { withQueue: settings.sendingQueue.enabled });
    if (settings.sendingQueue.enabled) {
      const queue = new SendingQueue(settings.sendingQueue.queueSize, settings.sendingQueue.maxItems);
      this.queue = queue;
      this.metrics.observeQueue(() => queue.size, queue.capacity);
    }
  }

  /** Batches waiting in the sending queue (0 without one). */
  get queueSize(): number {
    return this.queue?.size ?? 0;
  }

  async start(): Promise<void> {
    if (this.started) return;
    await this.transport.start();
    this.started = true;
    if (this.queue !== undefined) {
      for (let i = 0; i < this.settings.sendingQueue.numConsumers; i++) this.workers.push(this.work(this.queue));
    }
  }

  consume(batch: TelemetryBatch): Promise<void> {
    if (this.stopping || !this.started) {
      this.metrics.enqueueFailed(batch.signal, batch.itemCount);
      return Promise.reject(new BackpressureError(`exporter ${this.ctx.id} is ${this.stopping ? 'shutting down' : 'not started'}`, 1));
    }
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
        await this.deliver(batch);
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

  /** Sends one queued batch, retrying as configured; counts its outcome. */
  private async deliver(batch: TelemetryBatch): Promise<void> {
    const prepared = await this.prepare(batch);
    if (prepared === undefined) return;
    const startedAt = this.ctx.clock.now();
    const backoff = new ExponentialBackoff(this.settings.retry, this.random);
    const { retry } = this.settings;
    for (;;) {
      if (this.abandoned) return this.drop(batch);
      const result = await this.attempt(batch, prepared);
      switch (result.kind) {
        case 'ok':
          this.lastRetryDelayMs = 0;
          this.countSuccess(batch, result);
          return;
        case 'aborted':
          return this.drop(batch);
        case 'permanent':
          return this.fail(batch, result.failureKind, `sending ${ITEM_NOUN[batch.signal].many} (${result.failureKind}, not retryable)`, result.reason);
        case 'retryable': {
          if (!retry.enabled) {
            return this.fail(batch, result.failureKind, `sending ${ITEM_NOUN[batch.signal].many} (${result.failureKind}, retry_on_failure disabled)`, result.reason);
          }
          const delay = Math.max(backoff.nextDelayMs(), result.retryAfterMs ?? 0);
          const elapsed = this.ctx.clock.now() - startedAt;
          if (retry.maxElapsedTimeMs > 0 && elapsed + delay > retry.maxElapsedTimeMs) {
            return this.fail(
              batch,
              'max_elapsed_time',
              `sending ${ITEM_NOUN[batch.signal].many} (gave up after retrying for max_elapsed_time ${retry.maxElapsedTimeMs} ms)`,
              `last error: ${result.reason}`,
            );
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

  private notifyIfIdle(): void {
    if (this.active === 0 && (this.queue?.size ?? 0) === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private whenIdle(): Promise<void> {
    if (this.active === 0 && (this.queue?.size ?? 0) === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drainAndClose(): Promise<void> {
    this.stopping = true;
    // Idle workers leave; busy ones keep taking what is queued until it is empty.
    this.queue?.close();
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
    if (this.dropped.batches > 0) {
      this.ctx.logger.error(
        `exporter ${this.ctx.id}: shutdown gave up ${this.dropped.batches} batch${this.dropped.batches === 1 ? '' : 'es'} (${this.dropped.items} items) not sent within ${this.drainTimeoutMs} ms`,
      );
    }
    this.transport.close();
    this.metrics.close();
  }
}
