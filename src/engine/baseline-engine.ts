import type { Clock } from '../clock';
import { BaselineModel } from '../baseline/baseline-model';
import type { BaselineModelOptions } from '../baseline/baseline-model';
import { BaselineSeries } from '../baseline/baseline-series';
import type { BaselineSpanSample } from './baseline-span-sample';
import { BaselineKeyIndex } from './baseline-key-index';
import { SPAN_KIND_LABELS } from './span-kind-names';
import { OVERFLOW_LABEL_VALUE } from './bounded-series-index';
import { OperationNamer, isAvailabilityBad } from './span-semantics';
import { OtlpSpanKind } from './span-sample';

/** Told about every key at every interval close; the anomaly engine is one. */
export interface BaselineListener {
  /** The key's interval ending at `endMs` was just closed: its readings are fresh. */
  intervalClosed(series: BaselineSeries, endMs: number): void;
  /** The key was dropped (idle for `idleMs`); it receives no further calls. */
  keyEvicted(series: BaselineSeries, atMs: number): void;
}

export interface BaselineEngineOptions {
  readonly clock: Clock;
  /** What each key models: signals with detectors, the detector factory, exemplars. */
  readonly model: BaselineModelOptions;
  /**
   * Roll-up interval. Intervals are aligned to the Unix epoch, so with one
   * that divides a day every key's intervals line up with the clock.
   * @default 60_000
   */
  readonly intervalMs?: number;
  /** Keys tracked before further keys share the overflow key. @default 2000 */
  readonly maxKeys?: number;
  /** OTLP span kinds (OtlpSpanKind) that are tracked. @default [SERVER, CONSUMER] */
  readonly spanKinds?: readonly number[];
  /**
   * A key without a single span for this long is dropped (its slot freed,
   * its anomalies ended). Infinity keeps keys forever.
   * @default 24 h
   */
  readonly idleMs?: number;
  /** Failures inside the roll-up (a detector or a listener throwing); the roll-up carries on. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Intervals closed in one roll-up at most. The timer closes one interval at
 * a time; several are due at once only after the event loop or the whole
 * process was stalled, and then the intervals in between were not observed
 * at all: feeding each a zero throughput would invent an outage. So a long
 * gap is skipped (the detectors just see a jump in time).
 */
export const MAX_CATCH_UP_INTERVALS = 5;

const DEFAULT_INTERVAL_MS = 60_000;
const DEFAULT_MAX_KEYS = 2000;
const DEFAULT_IDLE_MS = 24 * 60 * 60_000;

/**
 * The baseline engine: per key (service, operation, span kind) it rolls the
 * spans of each interval up into latency quantiles, error ratio and
 * throughput, and feeds them to the key's detectors, whose expected values
 * are the baselines. Pure apart from the injected clock; the agent and the
 * gateway feed it through thin adapters, a timer calls rollUp().
 *
 * Spans count in the interval during which they are recorded (the clock's
 * now), not by their end time: a late batch is never lost and never
 * reopens a closed interval; a batching delay only shifts spans by that
 * delay.
 */
export class BaselineEngine {
  readonly intervalMs: number;
  readonly maxKeys: number;
  readonly model: BaselineModel;
  private readonly clock: Clock;
  private readonly index: BaselineKeyIndex<BaselineSeries>;
  private readonly namer = new OperationNamer();
  /** tracked[kind] for OTLP kinds 0..5. */
  private readonly tracked: readonly boolean[];
  private readonly idleMs: number;
  private readonly onError: ((error: unknown) => void) | undefined;
  private readonly listeners: BaselineListener[] = [];
  /** End of the open interval. */
  private openEndMs: number;
  private skipped = 0;
  private evicted = 0;

  constructor(options: BaselineEngineOptions) {
    this.clock = options.clock;
    this.intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    if (!Number.isSafeInteger(this.intervalMs) || this.intervalMs <= 0) throw new RangeError(`intervalMs must be a positive integer, got ${this.intervalMs}`);
    this.maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
    this.model = new BaselineModel(options.model);
    const kinds = new Set(options.spanKinds ?? [OtlpSpanKind.SERVER, OtlpSpanKind.CONSUMER]);
    this.tracked = SPAN_KIND_LABELS.map((_, kind) => kinds.has(kind));
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.onError = options.onError;
    this.index = new BaselineKeyIndex<BaselineSeries>(this.maxKeys, (service, kind, operation, overflow) => {
      const spanKind = overflow ? OVERFLOW_LABEL_VALUE : (SPAN_KIND_LABELS[kind] ?? 'unspecified');
      return new BaselineSeries({ service, operation, spanKind }, overflow, this.model, this.clock.now());
    });
    this.openEndMs = this.intervalEndAfter(this.clock.now());
  }

  /** Registers a listener for interval closes and evictions (at construction of its owner). */
  addListener(listener: BaselineListener): void {
    this.listeners.push(listener);
  }

  /** Keys tracked, the overflow key included once used. */
  get keyCount(): number {
    return this.index.size + (this.index.overflowState === undefined ? 0 : 1);
  }

  /** Intervals skipped after stalls (see MAX_CATCH_UP_INTERVALS). */
  get skippedIntervals(): number {
    return this.skipped;
  }

  /** Keys dropped for being idle. */
  get evictedKeys(): number {
    return this.evicted;
  }

  /** End of the interval spans recorded now go into. */
  get openIntervalEndMs(): number {
    return this.openEndMs;
  }

  /**
   * Counts one finished span. O(1) and allocation-free once its key exists
   * (the operation name comes from a bounded cache); closes the open
   * interval first when it is over.
   */
  record(span: BaselineSpanSample): void {
    const now = this.clock.now();
    if (now >= this.openEndMs) this.rollUp(now);
    const kind = span.kind;
    if (this.tracked[kind] !== true) return;
    const series = this.index.get(span.service, kind, this.namer.operation(span));
    series.add(span.durationMs, isAvailabilityBad(span), span.traceId);
  }

  /** The span's own key, if tracked (never the overflow key, never created): for enrichment. */
  find(span: BaselineSpanSample): BaselineSeries | undefined {
    const kind = span.kind;
    if (this.tracked[kind] !== true) return undefined;
    return this.index.find(span.service, kind, this.namer.operation(span));
  }

  /**
   * Closes every interval that has ended by `now` (at most
   * MAX_CATCH_UP_INTERVALS; a longer gap is skipped), feeding the
   * detectors and telling the listeners, then drops idle keys.
   */
  rollUp(now: number = this.clock.now()): void {
    let closed = 0;
    while (now >= this.openEndMs) {
      if (closed === MAX_CATCH_UP_INTERVALS) {
        const next = this.intervalEndAfter(now);
        this.skipped += (next - this.openEndMs) / this.intervalMs;
        this.openEndMs = next;
        break;
      }
      this.closeInterval(this.openEndMs);
      this.openEndMs += this.intervalMs;
      closed++;
    }
  }

  /** Visits every key (the overflow key last). */
  forEach(visit: (series: BaselineSeries) => void): void {
    this.index.forEach(visit);
  }

  private closeInterval(endMs: number): void {
    const idle: BaselineSeries[] = [];
    this.index.forEach((series) => {
      try {
        series.close(endMs, this.intervalMs);
      } catch (error) {
        this.onError?.(error);
      }
      for (const listener of this.listeners) {
        try {
          listener.intervalClosed(series, endMs);
        } catch (error) {
          this.onError?.(error);
        }
      }
      if (!series.overflow && endMs - series.lastActiveAtMs >= this.idleMs) idle.push(series);
    });
    for (const series of idle) this.evict(series, endMs);
  }

  private evict(series: BaselineSeries, atMs: number): void {
    const { service, operation, spanKind } = series.labels;
    if (!this.index.delete(service, SPAN_KIND_LABELS.indexOf(spanKind), operation)) return;
    this.evicted++;
    for (const listener of this.listeners) {
      try {
        listener.keyEvicted(series, atMs);
      } catch (error) {
        this.onError?.(error);
      }
    }
  }

  /** The end of the epoch-aligned interval that contains `timeMs`. */
  private intervalEndAfter(timeMs: number): number {
    return (Math.floor(timeMs / this.intervalMs) + 1) * this.intervalMs;
  }
}
