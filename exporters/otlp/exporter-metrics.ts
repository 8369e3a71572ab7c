import type { Attributes, Counter, Meter, ObservableGauge, ObservableResult } from '@opentelemetry/api';
import { ITEM_NOUN, SIGNALS } from '../../src/otlp/signal';
import type { Signal } from '../../src/otlp/signal';
import type { Logger } from '../../src/logging/logger';
import { FailureCounter } from '../../src/logging/logger';

/**
 * The exporters' own metrics, Collector-style (otelcol_exporter_* there),
 * labelled `exporter` = component id. Item counters exist per signal:
 * `_spans_total`, `_metric_points_total`, `_log_records_total`.
 */
export const EXPORTER_METRIC_NAMES = {
  /** Items the downstream accepted. */
  sent: (signal: Signal) => `slowatch_exporter_sent_${ITEM_NOUN[signal].metricName}_total`,
  /** Items that were not delivered: rejected (permanent error, partial_success), given up after retries, dropped at shutdown, or unwritable. */
  sendFailed: (signal: Signal) => `slowatch_exporter_send_failed_${ITEM_NOUN[signal].metricName}_total`,
  /** Items refused because the sending queue was full (the receiver answered 503 / UNAVAILABLE). */
  enqueueFailed: (signal: Signal) => `slowatch_exporter_enqueue_failed_${ITEM_NOUN[signal].metricName}_total`,
  /** Batches waiting in the sending queue (not counting the ones being sent). */
  queueSize: 'slowatch_exporter_queue_size',
  /** The sending queue's capacity in batches. */
  queueCapacity: 'slowatch_exporter_queue_capacity',
  /** Persistent queue only: bytes of the batches on disk (in flight included). */
  queueBytes: 'slowatch_exporter_queue_bytes',
  /**
   * Persistent queue only: batches sent again after a restart because an
   * earlier process had begun sending them and died before they were settled
   * (they may reach the downstream twice). At most num_consumers per crash.
   */
  queueRedelivered: 'slowatch_exporter_queue_redelivered_batches_total',
} as const;

export type ExporterCounts = Record<Signal, number>;

const zeroCounts = (): ExporterCounts => ({ traces: 0, metrics: 0, logs: 0 });

/**
 * Counters of one exporter instance. Also keeps the totals in memory
 * (`totals`), so tests and shutdown summaries can read them without a MeterProvider.
 */
export class ExporterMetrics {
  readonly totals = { sent: zeroCounts(), sendFailed: zeroCounts(), enqueueFailed: zeroCounts(), redeliveredBatches: 0 };
  private readonly attributes: Attributes;
  private readonly sentCounters: Record<Signal, Counter>;
  private readonly sendFailedCounters: Record<Signal, Counter>;
  private readonly enqueueFailedCounters?: Record<Signal, Counter>;
  private readonly redeliveredCounter?: Counter;
  private queueGauges?: { size: ObservableGauge; capacity: ObservableGauge; observeSize: (r: ObservableResult) => void; observeCapacity: (r: ObservableResult) => void };
  private bytesGauge?: { gauge: ObservableGauge; observe: (r: ObservableResult) => void };

  constructor(
    private readonly meter: Meter,
    exporterId: string,
    options: { readonly withQueue?: boolean; readonly persistentQueue?: boolean } = {},
  ) {
    this.attributes = { exporter: exporterId };
    const counters = (name: (signal: Signal) => string, description: (many: string) => string): Record<Signal, Counter> => {
      const result = {} as Record<Signal, Counter>;
      for (const signal of SIGNALS) result[signal] = meter.createCounter(name(signal), { description: description(ITEM_NOUN[signal].many) });
      return result;
    };
    this.sentCounters = counters(EXPORTER_METRIC_NAMES.sent, (many) => `Number of ${many} successfully sent to the destination.`);
    this.sendFailedCounters = counters(EXPORTER_METRIC_NAMES.sendFailed, (many) => `Number of ${many} the exporter failed to send to the destination.`);
    if (options.withQueue === true) {
      this.enqueueFailedCounters = counters(
        EXPORTER_METRIC_NAMES.enqueueFailed,
        (many) => `Number of ${many} refused because the sending queue was full.`,
      );
    }
    if (options.persistentQueue === true) {
      this.redeliveredCounter = meter.createCounter(EXPORTER_METRIC_NAMES.queueRedelivered, {
        description: 'Number of batches of the persistent queue sent again after a restart (an earlier process died while sending them).',
      });
    }
  }

  redelivered(batches: number): void {
    if (batches <= 0) return;
    this.totals.redeliveredBatches += batches;
    this.redeliveredCounter?.add(batches, this.attributes);
  }

  sent(signal: Signal, items: number): void {
    if (items <= 0) return;
    this.totals.sent[signal] += items;
    this.sentCounters[signal].add(items, this.attributes);
  }

  sendFailed(signal: Signal, items: number): void {
    if (items <= 0) return;
    this.totals.sendFailed[signal] += items;
    this.sendFailedCounters[signal].add(items, this.attributes);
  }

  enqueueFailed(signal: Signal, items: number): void {
    if (items <= 0) return;
    this.totals.enqueueFailed[signal] += items;
    this.enqueueFailedCounters?.[signal].add(items, this.attributes);
  }

  /** Registers the queue gauges; `size` is read at every collection. */
  observeQueue(size: () => number, capacity: number): void {
    const gauges = {
      size: this.meter.createObservableGauge(EXPORTER_METRIC_NAMES.queueSize, { description: 'Current number of batches in the sending queue.' }),
      capacity: this.meter.createObservableGauge(EXPORTER_METRIC_NAMES.queueCapacity, { description: 'Capacity of the sending queue, in batches.' }),
      observeSize: (result: ObservableResult) => result.observe(size(), this.attributes),
      observeCapacity: (result: ObservableResult) => result.observe(capacity, this.attributes),
    };
    gauges.size.addCallback(gauges.observeSize);
    gauges.capacity.addCallback(gauges.observeCapacity);
    this.queueGauges = gauges;
  }

  /** Registers the persistent queue's bytes gauge; `bytes` is read at every collection. */
  observeQueueBytes(bytes: () => number): void {
    const gauge = this.meter.createObservableGauge(EXPORTER_METRIC_NAMES.queueBytes, { description: 'Bytes of the batches in the persistent sending queue.' });
    const observe = (result: ObservableResult): void => result.observe(bytes(), this.attributes);
    gauge.addCallback(observe);
    this.bytesGauge = { gauge, observe };
  }

  /** Stops observing the queue (at shutdown). */
  close(): void {
    this.bytesGauge?.gauge.removeCallback(this.bytesGauge.observe);
    this.bytesGauge = undefined;
    const gauges = this.queueGauges;
    if (gauges === undefined) return;
    gauges.size.removeCallback(gauges.observeSize);
    gauges.capacity.removeCallback(gauges.observeCapacity);
    this.queueGauges = undefined;
  }
}

/**
 * One FailureCounter per kind of failure (`HTTP 400`, `UNAVAILABLE`,
 * `write`, …): the first of each kind is logged, the rest counted, so a
 * broken downstream gives a handful of lines, not one per batch. (The
 * Collector logs every failed export; we log once per kind.)
 */
export class FailureLog {
  private readonly counters = new Map<string, FailureCounter>();
  private readonly warned = new Map<string, number>();

  constructor(
    private readonly logger: Logger,
    /** `exporter otlp/downstream` */
    private readonly prefix: string,
  ) {}

  /** How often `kind` was recorded or warned about. */
  count(kind: string): number {
    return (this.counters.get(kind)?.failures ?? 0) + (this.warned.get(kind) ?? 0);
  }

  /** Logs `<prefix>: <what> failed; further failures are counted, not logged: <error>` the first time `kind` is seen. */
  record(kind: string, what: string, error: unknown): void {
    let counter = this.counters.get(kind);
    if (counter === undefined) {
      counter = new FailureCounter(this.logger, `${this.prefix}: ${what}`);
      this.counters.set(kind, counter);
    }
    counter.record(error);
  }

  /** A warning logged the first time `kind` is seen only. */
  warnOnce(kind: string, message: string): void {
    const n = (this.warned.get(kind) ?? 0) + 1;
    this.warned.set(kind, n);
    if (n === 1) this.logger.warn(`${this.prefix}: ${message}; further ones are counted, not logged`);
  }
}
