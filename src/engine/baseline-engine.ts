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
 * Spans count in the interval that is open when they are recorded, not by
 * their end time: a late batch is never lost and never reopens a closed
 * interval; a batching delay only shifts spans by that delay.
 *
 * Only rollUp() closes intervals (the roll-up timer, a metrics scrape, the
 * gateway's enrichment once per batch), never record(): closing costs
 * O(keys) (about 25 ms for 2000 keys), which must not land on whichever
 * span happens to arrive first after a boundary, inside a host's span
 * callback. Spans recorded between an interval's end and the next roll-up
 * tick (at most one tick, ≤ 1 s) still count in the interval that is open,
 * the same shift a batching delay causes.
 *
 * Stalls: when rollUp() runs more than one interval after the open
 * interval's end, the event loop or the process was stalled and the
 * intervals in between were not observed at all (no span could be
 * recorded). Feeding each a zero throughput would invent an outage, so only
 * the open interval is closed and the missed ones are skipped, counted in
 * skippedIntervals; the detectors just see a jump in time. A key without
 * spans while the process runs normally is closed by the timer every
 * interval and does get its real zero throughput.
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

  /** Intervals skipped after stalls (never closed, nothing fed for them). */
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
   * Counts one finished span in the open interval. O(1) and allocation-free
   * once its key exists (the operation name comes from a bounded cache).
   * Never closes an interval, even one that is over (see the class comment),
   * and never reads the clock once the key exists.
   */
  record(span: BaselineSpanSample): void {
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
   * Closes the open interval when it has ended by `now`, feeding the
   * detectors and telling the listeners, then drops idle keys. When `now`
   * is past the end of the following interval too (a stall), those missed
   * intervals are skipped, not closed: the next open interval is the one
   * containing `now`. A no-op (one comparison) before the open interval's end.
   */
  rollUp(now: number = this.clock.now()): void {
    if (now < this.openEndMs) return;
    const endMs = this.openEndMs;
    const nextEndMs = this.intervalEndAfter(now);
    // Moved on before closing, so a throwing listener cannot make the next call close the same interval again.
    this.openEndMs = nextEndMs;
    this.skipped += (nextEndMs - endMs) / this.intervalMs - 1;
    this.closeInterval(endMs);
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
