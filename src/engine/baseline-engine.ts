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
import type { BaselineKeyLabels } from '../baseline/baseline-series';
import type { BaselineEngineState } from './baseline-engine-state';
import { BASELINE_ENGINE_STATE_FORMAT } from './baseline-engine-state';
import type { StateRestoreSummary } from './state-restore-summary';
import { fieldPath, malformed, readArray, readInteger, readRecord, readString } from '../slo/snapshot-reader';
import { readReal } from '../anomaly/state-reader';

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
 *
 * Durable state: `exportState` / `restoreState` carry every key (open
 * interval, ring, readings, detectors) across a restart, checked against
 * the interval and the model's fingerprint (see BaselineEngineState). An
 * interval the process was partly down for gets its throughput over the
 * time it was observed, so a restart is not read as a traffic drop.
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
  /**
   * Intervals only partly observed because the process was down for part
   * of them (set by restoreState, ≤ 2 entries, dropped once closed): their
   * throughput is the count over the observed time, not over the interval,
   * so a restart does not read as a traffic drop.
   */
  private partial: { endMs: number; observedMs: number }[] = [];
  private restoredAt = Number.NaN;

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

  /** The key with these labels (the overflow key for `__overflow__` labels), if held. Never creates one. */
  seriesFor(labels: BaselineKeyLabels): BaselineSeries | undefined {
    if (labels.spanKind === OVERFLOW_LABEL_VALUE) {
      const overflow = this.index.overflowState;
      return overflow !== undefined && labels.service === OVERFLOW_LABEL_VALUE && labels.operation === OVERFLOW_LABEL_VALUE ? overflow : undefined;
    }
    const kind = SPAN_KIND_LABELS.indexOf(labels.spanKind);
    return kind < 0 ? undefined : this.index.find(labels.service, kind, labels.operation);
  }

  /** The clock's time at the last restoreState call; NaN when none. */
  get restoredAtMs(): number {
    return this.restoredAt;
  }

  // --- durable state ---------------------------------------------------------------

  /**
   * Every key's state (open interval included) with the interval and the
   * model's fingerprint, as structured-clone-able copies (see
   * BaselineEngineState for the size: ≈ 17 KB per default key). O(keys);
   * call it between roll-ups (it never closes an interval).
   */
  exportState(): BaselineEngineState {
    const keys: BaselineEngineState['keys'][number][] = [];
    this.index.forEach((series) => keys.push(series.exportState()));
    return {
      format: BASELINE_ENGINE_STATE_FORMAT,
      savedAtMs: this.clock.now(),
      intervalMs: this.intervalMs,
      fingerprint: this.model.stateFingerprint(),
      openIntervalEndMs: this.openEndMs,
      keys,
    };
  }

  /**
   * Takes over a state `exportState` returned (possibly in an earlier
   * process, through v8.serialize / v8.deserialize). Call it before the
   * first `record` and before the anomaly engine's restoreState.
   *
   * - A state of another format throws; a malformed one throws a TypeError
   *   naming the field, before anything changes (all keys are rebuilt
   *   first, then inserted: never a half-restored key).
   * - Another interval or model fingerprint (modelled signals, detector
   *   options): nothing is restored, every key is skipped with one reason.
   * - Keys beyond `maxKeys`, or already tracked, are skipped (one reason
   *   each); a key whose detector has no state to restore is restored with
   *   that signal cold (one reason, not counted as skipped).
   * - The open interval continues: after a restart within it, its counts
   *   go on; after one past its end, it is closed (with its saved counts) by
   *   the next rollUp and the intervals of the downtime are skipped. Either
   *   way the throughput of an interval the process was partly down for is
   *   its count over the time it was observed.
   *
   * `restored` and `skipped` count keys.
   */
  restoreState(state: unknown): StateRestoreSummary {
    const path = 'baselineState';
    const record = readRecord(state, path);
    if (record.format !== BASELINE_ENGINE_STATE_FORMAT) malformed(fieldPath(path, 'format'), `format ${BASELINE_ENGINE_STATE_FORMAT}`, record.format);
    const savedAtMs = readReal(record, 'savedAtMs', path);
    if (!Number.isFinite(savedAtMs)) malformed(fieldPath(path, 'savedAtMs'), 'a finite number', savedAtMs);
    const intervalMs = readInteger(record, 'intervalMs', path, 1);
    const fingerprint = readString(record, 'fingerprint', path);
    const openIntervalEndMs = readInteger(record, 'openIntervalEndMs', path, 0);
    const keyStates = readArray(record, 'keys', path);
    const now = this.clock.now();
    this.restoredAt = now;
    if (intervalMs !== this.intervalMs) {
      return { restored: 0, skipped: keyStates.length, reasons: [`baseline: all ${keyStates.length} keys start cold: saved with a ${intervalMs} ms interval, now ${this.intervalMs} ms`] };
    }
    if (fingerprint !== this.model.stateFingerprint()) {
      return {
        restored: 0,
        skipped: keyStates.length,
        reasons: [`baseline: all ${keyStates.length} keys start cold: modelled signals or detector options changed (saved ${fingerprint}; now ${this.model.stateFingerprint()})`],
      };
    }
    if (openIntervalEndMs % intervalMs !== 0) malformed(fieldPath(path, 'openIntervalEndMs'), `a multiple of ${intervalMs}`, openIntervalEndMs);
    const keysPath = fieldPath(path, 'keys');
    const rebuilt = keyStates.map((keyState, i) => {
      const keyPath = `${keysPath}[${i}]`;
      const restored = BaselineSeries.fromState(keyState, this.model, keyPath);
      const { service, operation, spanKind } = restored.series.labels;
      const kind = restored.series.overflow ? -1 : SPAN_KIND_LABELS.indexOf(spanKind);
      if (restored.series.overflow ? spanKind !== OVERFLOW_LABEL_VALUE : kind < 0) {
        malformed(`${keyPath}.labels.spanKind`, restored.series.overflow ? `'${OVERFLOW_LABEL_VALUE}'` : `one of ${SPAN_KIND_LABELS.join(', ')}`, spanKind);
      }
      return { ...restored, service, operation, kind };
    });

    let restored = 0;
    const reasons: string[] = [];
    for (const { series, service, operation, kind, coldSignals } of rebuilt) {
      const name = `${service} ${JSON.stringify(operation)} (${series.labels.spanKind})`;
      const taken = series.overflow ? this.index.adoptOverflow(series) : this.index.adopt(service, kind, operation, series);
      if (!taken) {
        const held = series.overflow ? this.index.overflowState !== undefined : this.index.find(service, kind, operation) !== undefined;
        reasons.push(held ? `baseline key ${name} is already tracked: the saved state is dropped` : `baseline key ${name} starts cold: max_keys (${this.maxKeys}) reached`);
        continue;
      }
      restored++;
      if (coldSignals.length > 0) reasons.push(`baseline key ${name}: ${coldSignals.join(', ')} start cold (their detector saved no state)`);
    }
    this.continueOpenInterval(openIntervalEndMs, savedAtMs, now);
    return { restored, skipped: rebuilt.length - restored, reasons };
  }

  /** Resumes the saved open interval (see restoreState) and notes which intervals were partly observed. */
  private continueOpenInterval(savedEndMs: number, savedAtMs: number, now: number): void {
    const currentEndMs = this.intervalEndAfter(now);
    const observed = (unobservedMs: number): number => Math.min(this.intervalMs, Math.max(1, this.intervalMs - Math.max(0, unobservedMs)));
    this.partial = [];
    if (savedEndMs >= currentEndMs) {
      // Within the saved interval (or the clock went back): the time between the save and now went unobserved.
      this.openEndMs = currentEndMs;
      this.partial.push({ endMs: currentEndMs, observedMs: observed(Math.min(now, currentEndMs) - Math.max(savedAtMs, currentEndMs - this.intervalMs)) });
      return;
    }
    // Past the saved interval: it is closed by the next roll-up with what it saw until the save;
    // the current one was observed from now on.
    this.openEndMs = savedEndMs;
    this.partial.push({ endMs: savedEndMs, observedMs: observed(savedEndMs - savedAtMs) });
    this.partial.push({ endMs: currentEndMs, observedMs: observed(now - (currentEndMs - this.intervalMs)) });
  }

  /** The time interval `endMs` was observed for: the interval, or less for one a restart cut into. */
  private observedLengthOf(endMs: number): number {
    if (this.partial.length === 0) return this.intervalMs;
    const at = this.partial.findIndex((p) => p.endMs === endMs);
    const observedMs = at < 0 ? this.intervalMs : (this.partial[at] as { observedMs: number }).observedMs;
    this.partial = this.partial.filter((p) => p.endMs > endMs);
    return observedMs;
  }

  private closeInterval(endMs: number): void {
    const idle: BaselineSeries[] = [];
    const lengthMs = this.observedLengthOf(endMs);
    this.index.forEach((series) => {
      try {
        series.close(endMs, lengthMs);
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
