import type { AnomalyDetector } from '../anomaly/anomaly-detector';
import type { BaselineSignal } from './baseline-signal';
import { BASELINE_SIGNALS, SIGNAL_COUNT, SIGNAL_INFO, SignalIndex } from './baseline-signal';
import type { BaselineModel } from './baseline-model';
import { ExemplarSet } from './exemplar-set';
import type { TraceIdSource } from './exemplar-set';
import { LatencySketch } from './latency-sketch';
import { RollupRing } from './rollup-ring';
import type { BaselineSeriesState } from './baseline-state';
import { fieldPath, readArray, readBoolean, readCount, readRecord, readString } from '../slo/snapshot-reader';
import { readIntegerIn, readReal, readTypedArray } from '../anomaly/state-reader';

/** What identifies a key; also its metric labels. */
export interface BaselineKeyLabels {
  readonly service: string;
  readonly operation: string;
  /** `server`, `client`, `internal`, `producer`, `consumer` or `unspecified`. */
  readonly spanKind: string;
}

/** A series rebuilt from its state, and the signals whose detectors start cold (they had no state to restore). */
export interface RestoredBaselineSeries {
  readonly series: BaselineSeries;
  readonly coldSignals: readonly BaselineSignal[];
}

/** Per-signal reading layout in `BaselineSeries.readings`: score, low, center, high. */
const READING_FIELDS = 4;
const SCORE = 0;
const LOW = 1;
const CENTER = 2;
const HIGH = 3;

/** Flag bits per signal. */
const HAS_EXPECTED = 1;
const ANOMALOUS = 2;
/** The signal's detector was fed in the last closed interval. */
const UPDATED = 4;

const MS_PER_SECOND = 1000;

/**
 * One key's baseline state: the open interval being accumulated (a latency
 * sketch, counts, exemplar trace ids), the last closed intervals (a short
 * ring), one detector per modelled signal and its latest reading.
 *
 * Pure: time only arrives as arguments; nothing here reads a clock or does
 * I/O. The engine calls add() per span and close() once per interval.
 *
 * Memory (besides the detectors, whose size is their own): the ring
 * (36 B × recentIntervals), four exemplar sets (24 B × exemplars each),
 * 8 × 4 × 6 + 6 + 8 × 6 B of readings, 8 B of empty-interval count, the open interval's sketch bins
 * (≤ LATENCY_SKETCH_MAX_BIN_BYTES, only while the key has spans in it) and
 * about 1 KB of objects. bench:processors measures the total.
 */
export class BaselineSeries {
  readonly labels: BaselineKeyLabels;
  /** The shared series of every key past the cap (labels `__overflow__`). */
  readonly overflow: boolean;
  readonly ring: RollupRing;

  private readonly model: BaselineModel;
  private readonly sketch = new LatencySketch();
  private count = 0;
  private errors = 0;
  private slowest: ExemplarSet;
  private slowestFailed: ExemplarSet;
  private closedSlowest: ExemplarSet;
  private closedSlowestFailed: ExemplarSet;
  private readonly detectors: (AnomalyDetector | undefined)[];
  private readonly observed = new Float64Array(SIGNAL_COUNT).fill(Number.NaN);
  private readonly readings = new Float64Array(SIGNAL_COUNT * READING_FIELDS);
  private readonly flags = new Uint8Array(SIGNAL_COUNT);
  private closedCount = 0;
  /** Consecutive closed intervals without spans, for ending the anomalies of a silent key. */
  private emptyIntervals = 0;
  private closedEndMs = Number.NaN;
  /** End of the last interval that had spans (or the creation time): for idle eviction. */
  private lastActiveMs: number;

  constructor(labels: BaselineKeyLabels, overflow: boolean, model: BaselineModel, createdAtMs: number) {
    this.labels = labels;
    this.overflow = overflow;
    this.model = model;
    this.ring = new RollupRing(model.recentIntervals);
    this.slowest = new ExemplarSet(model.exemplars);
    this.slowestFailed = new ExemplarSet(model.exemplars);
    this.closedSlowest = new ExemplarSet(model.exemplars);
    this.closedSlowestFailed = new ExemplarSet(model.exemplars);
    this.detectors = BASELINE_SIGNALS.map((signal, s) => (model.modelledMask[s] === true ? model.createDetector(signal) : undefined));
    this.lastActiveMs = createdAtMs;
  }

  // --- hot path ----------------------------------------------------------------

  /** One span of the open interval. O(1) (O(exemplars) when the span is among the slowest). */
  add(durationMs: number, failed: boolean, traceId: TraceIdSource): void {
    this.sketch.add(durationMs);
    this.count++;
    this.slowest.offer(durationMs, traceId);
    if (failed) {
      this.errors++;
      this.slowestFailed.offer(durationMs, traceId);
    }
  }

  // --- roll-up -------------------------------------------------------------------

  /** Spans in the open interval so far. */
  get openCount(): number {
    return this.count;
  }

  /**
   * Closes the open interval: computes every signal, appends them to the
   * ring, feeds each modelled signal's detector (signals that need spans are
   * skipped for an empty interval) and keeps the readings. The open interval
   * then starts empty. A signal that needs spans and has been without a value
   * for `model.emptyIntervalsToEndAnomaly` consecutive intervals loses its
   * `anomalous` flag (its detector is not told: the next value it gets decides
   * afresh, so an anomaly still there when traffic returns starts again).
   *
   * @param endMs the interval's end (Unix ms), passed to the detectors
   * @param intervalMs its length, for throughput
   */
  close(endMs: number, intervalMs: number): void {
    const count = this.count;
    this.emptyIntervals = count > 0 ? 0 : this.emptyIntervals + 1;
    const observed = this.observed;
    for (let s = SignalIndex.latency_p50; s <= SignalIndex.latency_p99; s++) {
      observed[s] = count > 0 ? this.sketch.quantile(SIGNAL_INFO[s]!.quantile as number) : Number.NaN;
    }
    observed[SignalIndex.error_ratio] = count > 0 ? this.errors / count : Number.NaN;
    observed[SignalIndex.throughput] = (count * MS_PER_SECOND) / intervalMs;
    this.ring.push(endMs, count, observed);

    try {
      this.feedDetectors(endMs, count);
    } finally {
      // Even when a detector throws, the interval is over: start the next one empty.
      this.startNextInterval(endMs, count);
    }
  }

  private feedDetectors(endMs: number, count: number): void {
    const observed = this.observed;
    const readings = this.readings;
    for (const s of this.model.modelled) {
      const base = s * READING_FIELDS;
      const info = SIGNAL_INFO[s]!;
      if (info.needsSpans && count === 0) {
        // No value this interval: the last reading stands, marked as not updated,
        // except that an anomaly without a single value for emptyIntervalsToEndAnomaly
        // intervals ends (the AnomalyEngine sees the falling edge, observed null).
        let flags = (this.flags[s] as number) & ~UPDATED;
        if (this.emptyIntervals >= this.model.emptyIntervalsToEndAnomaly) flags &= ~ANOMALOUS;
        this.flags[s] = flags;
        continue;
      }
      const reading = this.detectors[s]!.update(endMs, observed[s] as number, info.needsSpans ? count : undefined);
      readings[base + SCORE] = reading.score;
      let flags = UPDATED;
      if (reading.anomalous) flags |= ANOMALOUS;
      const expected = reading.expected;
      if (expected !== undefined) {
        flags |= HAS_EXPECTED;
        readings[base + LOW] = expected.low;
        readings[base + CENTER] = expected.center;
        readings[base + HIGH] = expected.high;
      }
      this.flags[s] = flags;
    }
  }

  private startNextInterval(endMs: number, count: number): void {
    // The closed interval's exemplars become the evidence; the old evidence set is reused for the new interval.
    const slowest = this.closedSlowest;
    this.closedSlowest = this.slowest;
    this.slowest = slowest;
    slowest.clear();
    const failed = this.closedSlowestFailed;
    this.closedSlowestFailed = this.slowestFailed;
    this.slowestFailed = failed;
    failed.clear();

    this.closedCount = count;
    this.closedEndMs = endMs;
    if (count > 0) this.lastActiveMs = endMs;
    this.sketch.reset();
    this.count = 0;
    this.errors = 0;
  }

  // --- readings ------------------------------------------------------------------

  /** Whether signal index s has a detector. */
  isModelled(s: number): boolean {
    return this.model.modelledMask[s] === true;
  }

  /** Whether the detector of s has a baseline (left its cold start). */
  hasBaseline(s: number): boolean {
    return ((this.flags[s] as number) & HAS_EXPECTED) !== 0;
  }

  /** Whether any modelled signal has a baseline. */
  get hasAnyBaseline(): boolean {
    for (const s of this.model.modelled) if (((this.flags[s] as number) & HAS_EXPECTED) !== 0) return true;
    return false;
  }

  /** Whether s is in an anomaly, as its detector last said. */
  isAnomalous(s: number): boolean {
    return ((this.flags[s] as number) & ANOMALOUS) !== 0;
  }

  /** Whether the detector of s was fed in the last closed interval. */
  wasUpdated(s: number): boolean {
    return ((this.flags[s] as number) & UPDATED) !== 0;
  }

  /** The baseline value of s (the detector's expected center); NaN before it has one. */
  baseline(s: number): number {
    return this.hasBaseline(s) ? (this.readings[s * READING_FIELDS + CENTER] as number) : Number.NaN;
  }

  expectedLow(s: number): number {
    return this.hasBaseline(s) ? (this.readings[s * READING_FIELDS + LOW] as number) : Number.NaN;
  }

  expectedHigh(s: number): number {
    return this.hasBaseline(s) ? (this.readings[s * READING_FIELDS + HIGH] as number) : Number.NaN;
  }

  /** The last score of s, 0 before its detector was ever fed. */
  score(s: number): number {
    return this.readings[s * READING_FIELDS + SCORE] as number;
  }

  /** The value s had in the last closed interval (NaN when none, e.g. no spans). */
  observedValue(s: number): number {
    return this.observed[s] as number;
  }

  /** Spans in the last closed interval. */
  get lastIntervalCount(): number {
    return this.closedCount;
  }

  /** End of the last closed interval; NaN before the first. */
  get lastIntervalEndMs(): number {
    return this.closedEndMs;
  }

  get lastActiveAtMs(): number {
    return this.lastActiveMs;
  }

  /** Trace ids (hex) of the last closed interval's slowest spans, slowest first. Allocates. */
  slowestTraceIds(): string[] {
    return this.closedSlowest.traceIds();
  }

  /** Trace ids (hex) of the last closed interval's slowest failed spans. Allocates. */
  slowestFailedTraceIds(): string[] {
    return this.closedSlowestFailed.traceIds();
  }

  // --- durable state ---------------------------------------------------------------

  /**
   * The whole key as copies (see BaselineSeriesState): the open interval's
   * counts, sketch and exemplars, the last closed interval, the readings,
   * the ring and each detector's own state (null for a detector without
   * exportState: it will start cold). About 1.9 KB + the open sketch + the
   * detectors through v8.serialize (16.9 KB for a default key).
   */
  exportState(): BaselineSeriesState {
    return {
      labels: { service: this.labels.service, operation: this.labels.operation, spanKind: this.labels.spanKind },
      overflow: this.overflow,
      openCount: this.count,
      openErrors: this.errors,
      openSketch: this.sketch.exportState(),
      openSlowest: this.slowest.exportState(),
      openSlowestFailed: this.slowestFailed.exportState(),
      closedCount: this.closedCount,
      closedEndMs: this.closedEndMs,
      closedSlowest: this.closedSlowest.exportState(),
      closedSlowestFailed: this.closedSlowestFailed.exportState(),
      observed: this.observed.slice(),
      readings: this.readings.slice(),
      flags: this.flags.slice(),
      emptyIntervals: this.emptyIntervals,
      lastActiveMs: this.lastActiveMs,
      ring: this.ring.exportState(),
      detectors: this.detectors.map((detector) => (detector?.exportState === undefined ? null : detector.exportState())),
    };
  }

  /**
   * Rebuilds a key from `state` under `model` (which must have the same
   * modelled signals and detector options as the exporting one: the
   * engine's fingerprint checks it). All or nothing: a malformed state
   * throws a TypeError naming the field (under `path`) and no series comes
   * out. A modelled signal whose state is null, or whose detector has no
   * restoreState, starts cold: its reading is cleared (no baseline, not
   * anomalous), so an anomaly left open on it ends at the next close.
   * A model with fewer exemplars or recent intervals keeps the slowest
   * exemplars and the newest intervals.
   */
  static fromState(state: unknown, model: BaselineModel, path: string): RestoredBaselineSeries {
    const record = readRecord(state, path);
    const labelsRecord = readRecord(record.labels, fieldPath(path, 'labels'));
    const labelsPath = fieldPath(path, 'labels');
    const labels: BaselineKeyLabels = {
      service: readString(labelsRecord, 'service', labelsPath),
      operation: readString(labelsRecord, 'operation', labelsPath),
      spanKind: readString(labelsRecord, 'spanKind', labelsPath),
    };
    const lastActiveMs = readReal(record, 'lastActiveMs', path);
    const series = new BaselineSeries(labels, readBoolean(record, 'overflow', path), model, lastActiveMs);
    // Everything is checked before the new series is touched; the detectors check their own states
    // (and only touch the new series' detectors, which are thrown away with it on a failure).
    const openSketch = series.sketch.checkState(record.openSketch, fieldPath(path, 'openSketch'));
    const openSlowest = series.slowest.checkState(record.openSlowest, fieldPath(path, 'openSlowest'));
    const openSlowestFailed = series.slowestFailed.checkState(record.openSlowestFailed, fieldPath(path, 'openSlowestFailed'));
    const closedSlowest = series.closedSlowest.checkState(record.closedSlowest, fieldPath(path, 'closedSlowest'));
    const closedSlowestFailed = series.closedSlowestFailed.checkState(record.closedSlowestFailed, fieldPath(path, 'closedSlowestFailed'));
    const ring = series.ring.checkState(record.ring, fieldPath(path, 'ring'));
    const observed = readTypedArray(record, 'observed', path, 'Float64Array', SIGNAL_COUNT);
    const readings = readTypedArray(record, 'readings', path, 'Float64Array', SIGNAL_COUNT * READING_FIELDS);
    const flags = readTypedArray(record, 'flags', path, 'Uint8Array', SIGNAL_COUNT);
    const openCount = readCount(record, 'openCount', path);
    const openErrors = readCount(record, 'openErrors', path);
    const closedCount = readCount(record, 'closedCount', path);
    const closedEndMs = readReal(record, 'closedEndMs', path);
    const emptyIntervals = readIntegerIn(record, 'emptyIntervals', path, 0, Number.MAX_SAFE_INTEGER);
    const detectorStates = readArray(record, 'detectors', path);
    if (detectorStates.length !== SIGNAL_COUNT) {
      throw new TypeError(`${fieldPath(path, 'detectors')}: expected ${SIGNAL_COUNT} entries (one per signal), got ${detectorStates.length}`);
    }
    const coldSignals: BaselineSignal[] = [];
    series.observed.set(observed);
    series.readings.set(readings);
    series.flags.set(flags);
    for (const s of model.modelled) {
      const detector = series.detectors[s]!;
      const detectorState = detectorStates[s];
      if (detectorState === null || detectorState === undefined || detector.restoreState === undefined) {
        coldSignals.push(BASELINE_SIGNALS[s] as BaselineSignal);
        series.flags[s] = 0;
        series.readings.fill(0, s * READING_FIELDS, (s + 1) * READING_FIELDS);
        continue;
      }
      detector.restoreState(detectorState, `${fieldPath(path, 'detectors')}[${s}]`);
    }
    series.sketch.applyState(openSketch);
    series.slowest.applyState(openSlowest);
    series.slowestFailed.applyState(openSlowestFailed);
    series.closedSlowest.applyState(closedSlowest);
    series.closedSlowestFailed.applyState(closedSlowestFailed);
    series.ring.applyState(ring);
    series.count = openCount;
    series.errors = openErrors;
    series.closedCount = closedCount;
    series.closedEndMs = closedEndMs;
    series.emptyIntervals = emptyIntervals;
    return { series, coldSignals };
  }

  /** The signal's name, for callers holding an index. */
  static signalName(s: number): BaselineSignal {
    return BASELINE_SIGNALS[s] as BaselineSignal;
  }
}
