import type { BaselineSignal } from '../baseline/baseline-signal';
import { BASELINE_SIGNALS, SIGNAL_COUNT, SIGNAL_INFO, SignalIndex } from '../baseline/baseline-signal';
import type { BaselineSeries } from '../baseline/baseline-series';
import type { AnomalyEvent } from './anomaly-event';
import type { BaselineEngine, BaselineListener } from './baseline-engine';
import type { AnomalyEngineState, AnomalyEventState, OpenAnomalyState } from './anomaly-engine-state';
import { ANOMALY_ENGINE_STATE_FORMAT, eventFromState, eventToState, parseAnomalyEvent, parseKeyLabels, parseSignal } from './anomaly-engine-state';
import type { StateRestoreSummary } from './state-restore-summary';
import { fieldPath, malformed, readArray, readInteger, readRecord, readString } from '../slo/snapshot-reader';
import { readReal } from '../anomaly/state-reader';

export interface AnomalyEngineOptions {
  /** Signals whose anomalies are reported; each must be modelled by the baseline. @default every modelled signal */
  readonly signals?: readonly BaselineSignal[];
  /** Events kept in the recent-events ring (oldest dropped first). @default 100 */
  readonly maxRecentEvents?: number;
  /** Recent values of the signal included in each event's evidence. @default 10 */
  readonly evidenceIntervals?: number;
  /** Called with every event, after it is counted and kept. */
  readonly onAnomaly?: (event: AnomalyEvent) => void;
  /** An onAnomaly listener that threw; the other events are still delivered. */
  readonly onError?: (error: unknown) => void;
}

const DEFAULT_MAX_RECENT_EVENTS = 100;
const DEFAULT_EVIDENCE_INTERVALS = 10;

/**
 * Turns the baseline's detector readings into anomaly events: a rising edge
 * of a watched signal's `anomalous` reading is a start, a falling edge (or
 * the key being evicted) an end. A key that stops receiving spans also gets
 * a falling edge on latency and error ratio after
 * `BaselineModel.emptyIntervalsToEndAnomaly` empty intervals (BaselineSeries
 * clears the flag its unfed detectors left set): that end event has
 * `observed` null and `spanCount` 0. Each event carries its evidence (expected
 * band, observed value, score, span count, the slowest spans' trace ids,
 * the signal's recent values), is counted, kept in a bounded ring and
 * handed to `onAnomaly`.
 *
 * Runs at interval close only (it is a BaselineListener), never per span;
 * `isActive` is the one per-span question, an O(1) Map lookup.
 *
 * Memory: the ring (≤ maxRecentEvents events of ~1 KB with their evidence)
 * and 48 B per key while it has an open anomaly.
 *
 * Durable state: `exportState` / `restoreState` carry the open anomalies
 * and the ring across a restart (see AnomalyEngineState); restored after
 * the baseline, open anomalies re-link to their keys by labels.
 */
export class AnomalyEngine implements BaselineListener {
  /** The watched signals, in BASELINE_SIGNALS order. */
  readonly signals: readonly BaselineSignal[];
  private readonly watched: readonly number[];
  private readonly baseline: BaselineEngine;
  private readonly intervalMs: number;
  private readonly maxRecentEvents: number;
  private readonly evidenceIntervals: number;
  private readonly listeners: ((event: AnomalyEvent) => void)[] = [];
  private readonly onError: ((error: unknown) => void) | undefined;
  /** Keys with an open anomaly → start time per signal (NaN: none open). */
  private readonly open = new Map<BaselineSeries, Float64Array>();
  private readonly ring: (AnomalyEvent | undefined)[];
  private ringNext = 0;
  private ringSize = 0;
  private readonly starts = new Float64Array(SIGNAL_COUNT);
  private readonly ends = new Float64Array(SIGNAL_COUNT);

  /** @throws RangeError when a watched signal is not modelled by the baseline (the config check reports it first). */
  constructor(baseline: BaselineEngine, options: AnomalyEngineOptions = {}) {
    const modelled = baseline.model.modelled;
    const wanted = options.signals === undefined || options.signals.length === 0 ? undefined : new Set(options.signals);
    const watched: number[] = [];
    for (let s = 0; s < SIGNAL_COUNT; s++) {
      const name = BASELINE_SIGNALS[s] as BaselineSignal;
      if (wanted !== undefined && !wanted.has(name)) continue;
      if (!modelled.includes(s)) {
        if (wanted !== undefined) throw new RangeError(`signal ${name} is not modelled by the baseline (modelled: ${modelled.map((m) => BASELINE_SIGNALS[m]).join(', ')})`);
        continue;
      }
      watched.push(s);
    }
    this.watched = watched;
    this.baseline = baseline;
    this.signals = watched.map((s) => BASELINE_SIGNALS[s] as BaselineSignal);
    this.intervalMs = baseline.intervalMs;
    this.maxRecentEvents = options.maxRecentEvents ?? DEFAULT_MAX_RECENT_EVENTS;
    this.evidenceIntervals = options.evidenceIntervals ?? DEFAULT_EVIDENCE_INTERVALS;
    if (options.onAnomaly !== undefined) this.listeners.push(options.onAnomaly);
    this.onError = options.onError;
    this.ring = new Array<AnomalyEvent | undefined>(this.maxRecentEvents).fill(undefined);
    baseline.addListener(this);
  }

  /**
   * Delivers every later event to `listener` too (in-process consumers,
   * tests); returns the function that stops it.
   */
  subscribe(listener: (event: AnomalyEvent) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at >= 0) this.listeners.splice(at, 1);
    };
  }

  /** Whether signal index s is watched. */
  watches(s: number): boolean {
    return this.watched.includes(s);
  }

  /** Whether the key has an open anomaly on any watched signal. O(1). */
  isActive(series: BaselineSeries): boolean {
    return this.open.has(series);
  }

  /** Whether the key has an open anomaly on signal index s. */
  isActiveOn(series: BaselineSeries, s: number): boolean {
    const starts = this.open.get(series);
    return starts !== undefined && !Number.isNaN(starts[s]!);
  }

  /** Keys with at least one open anomaly. */
  get activeKeys(): number {
    return this.open.size;
  }

  /** Start events so far for a signal. */
  startCount(signal: BaselineSignal): number {
    return this.starts[SignalIndex[signal]] as number;
  }

  /** End events so far for a signal. */
  endCount(signal: BaselineSignal): number {
    return this.ends[SignalIndex[signal]] as number;
  }

  /** The recent events, oldest first (a copy). */
  recentEvents(): AnomalyEvent[] {
    const out: AnomalyEvent[] = [];
    const first = (this.ringNext - this.ringSize + this.maxRecentEvents) % this.maxRecentEvents;
    for (let i = 0; i < this.ringSize; i++) out.push(this.ring[(first + i) % this.maxRecentEvents] as AnomalyEvent);
    return out;
  }

  // --- durable state ---------------------------------------------------------------

  /**
   * The open anomalies (key, signal, start, and the start event as evidence
   * while the recent ring still holds it) and the recent events, as
   * structured-clone-able copies (see AnomalyEngineState). Export it in the
   * same tick as the baseline's state, so the two agree.
   */
  exportState(): AnomalyEngineState {
    const events = this.recentEvents();
    const open: OpenAnomalyState[] = [];
    for (const [series, starts] of this.open) {
      for (const s of this.watched) {
        const startedAtMs = starts[s] as number;
        if (Number.isNaN(startedAtMs)) continue;
        const signal = BASELINE_SIGNALS[s] as BaselineSignal;
        const { service, operation, spanKind } = series.labels;
        const start = events.find(
          (e) =>
            e.edge === 'start' &&
            e.signal === signal &&
            e.startedAtMs === startedAtMs &&
            e.key.service === service &&
            e.key.operation === operation &&
            e.key.spanKind === spanKind,
        );
        open.push({ key: { ...series.labels }, signal, startedAtMs, evidence: start === undefined ? null : eventToState(start) });
      }
    }
    return {
      format: ANOMALY_ENGINE_STATE_FORMAT,
      intervalMs: this.intervalMs,
      baselineFingerprint: this.baseline.model.stateFingerprint(),
      open,
      recentEvents: events.map(eventToState),
    };
  }

  /**
   * Takes over a state `exportState` returned, after the baseline engine's
   * restoreState. The recent events come back (the newest `maxRecentEvents`;
   * not delivered or counted again). Each open anomaly is re-linked to its
   * restored key, so no second start fires and its end is reported when the
   * detector ends it. One that cannot resume (its key was not restored, the
   * signal is no longer watched, the interval or the baseline model changed)
   * ends now: an end event (observed null, 0 spans, the start's band) is
   * reported, so it is not left open forever in what the events recorded.
   *
   * A state of another format throws; a malformed one throws a TypeError
   * naming the field before anything changes. `restored` counts re-linked
   * anomalies, `skipped` the ones ended at restore.
   */
  restoreState(state: unknown): StateRestoreSummary {
    const path = 'anomalyState';
    const record = readRecord(state, path);
    if (record.format !== ANOMALY_ENGINE_STATE_FORMAT) malformed(fieldPath(path, 'format'), `format ${ANOMALY_ENGINE_STATE_FORMAT}`, record.format);
    const intervalMs = readInteger(record, 'intervalMs', path, 1);
    const baselineFingerprint = readString(record, 'baselineFingerprint', path);
    const eventsPath = fieldPath(path, 'recentEvents');
    const events = readArray(record, 'recentEvents', path).map((e, i) => parseAnomalyEvent(e, `${eventsPath}[${i}]`));
    const openPath = fieldPath(path, 'open');
    const open = readArray(record, 'open', path).map((value, i): OpenAnomalyState => {
      const at = `${openPath}[${i}]`;
      const entry = readRecord(value, at);
      const startedAtMs = readReal(entry, 'startedAtMs', at);
      if (!Number.isFinite(startedAtMs)) malformed(fieldPath(at, 'startedAtMs'), 'a finite number', startedAtMs);
      return {
        key: parseKeyLabels(entry.key, fieldPath(at, 'key')),
        signal: parseSignal(entry, 'signal', at),
        startedAtMs,
        evidence: entry.evidence === null ? null : parseAnomalyEvent(entry.evidence, fieldPath(at, 'evidence')),
      };
    });

    // Everything checked: from here on nothing throws.
    const kept = events.slice(Math.max(0, events.length - this.maxRecentEvents));
    this.ring.fill(undefined);
    kept.forEach((e, i) => (this.ring[i] = eventFromState(e)));
    this.ringSize = kept.length;
    this.ringNext = kept.length % this.maxRecentEvents;
    const reasons: string[] = [];
    if (kept.length < events.length) reasons.push(`anomaly: the ${events.length - kept.length} oldest recent events are dropped (max_recent_events ${this.maxRecentEvents})`);

    const mismatch =
      intervalMs !== this.intervalMs
        ? `the interval changed (${intervalMs} ms, now ${this.intervalMs} ms)`
        : baselineFingerprint !== this.baseline.model.stateFingerprint()
          ? 'the baseline model changed (modelled signals or detector options)'
          : undefined;
    let restored = 0;
    let skipped = 0;
    const orphans: OpenAnomalyState[] = [];
    for (const entry of open) {
      const s = SignalIndex[entry.signal];
      const series = mismatch === undefined ? this.baseline.seriesFor(entry.key) : undefined;
      const name = `${entry.key.service} ${JSON.stringify(entry.key.operation)} (${entry.key.spanKind}) ${entry.signal}`;
      if (series === undefined || !this.watched.includes(s)) {
        reasons.push(
          `anomaly on ${name} ends at restore: ${mismatch ?? (series === undefined ? 'its baseline key was not restored' : 'the signal is no longer watched')}`,
        );
        orphans.push(entry);
        skipped++;
        continue;
      }
      let starts = this.open.get(series);
      if (starts === undefined) {
        starts = new Float64Array(SIGNAL_COUNT).fill(Number.NaN);
        this.open.set(series, starts);
      }
      if (!Number.isNaN(starts[s]!)) {
        reasons.push(`anomaly on ${name} is saved twice: the later entry is dropped`);
        skipped++;
        continue;
      }
      starts[s] = entry.startedAtMs;
      restored++;
    }
    const endMs = Number.isNaN(this.baseline.restoredAtMs) ? this.baseline.openIntervalEndMs - this.intervalMs : this.baseline.restoredAtMs;
    for (const orphan of orphans) this.report(orphanEnd(orphan, Math.max(endMs, orphan.startedAtMs)));
    return { restored, skipped, reasons };
  }

  // --- BaselineListener ------------------------------------------------------------

  intervalClosed(series: BaselineSeries, endMs: number): void {
    let starts = this.open.get(series);
    for (const s of this.watched) {
      const wasOpen = starts !== undefined && !Number.isNaN(starts[s]!);
      const isOpen = series.hasBaseline(s) && series.isAnomalous(s);
      if (isOpen === wasOpen) continue;
      if (isOpen) {
        if (starts === undefined) {
          starts = new Float64Array(SIGNAL_COUNT).fill(Number.NaN);
          this.open.set(series, starts);
        }
        starts[s] = endMs - this.intervalMs;
        this.report(this.eventOf('start', series, s, endMs, endMs - this.intervalMs));
      } else {
        const startedAtMs = (starts as Float64Array)[s] as number;
        (starts as Float64Array)[s] = Number.NaN;
        this.report(this.eventOf('end', series, s, endMs, startedAtMs));
      }
    }
    if (starts !== undefined && starts.every((t) => Number.isNaN(t))) this.open.delete(series);
  }

  keyEvicted(series: BaselineSeries, atMs: number): void {
    const starts = this.open.get(series);
    if (starts === undefined) return;
    this.open.delete(series);
    for (const s of this.watched) {
      const startedAtMs = starts[s] as number;
      if (!Number.isNaN(startedAtMs)) this.report(this.eventOf('end', series, s, atMs, startedAtMs));
    }
  }

  // ----------------------------------------------------------------------------------

  private eventOf(edge: AnomalyEvent['edge'], series: BaselineSeries, s: number, atMs: number, startedAtMs: number): AnomalyEvent {
    const observed = series.observedValue(s);
    return {
      edge,
      key: series.labels,
      signal: BASELINE_SIGNALS[s] as BaselineSignal,
      unit: (SIGNAL_INFO[s] as (typeof SIGNAL_INFO)[number]).unit,
      atMs,
      startedAtMs,
      endedAtMs: edge === 'end' ? atMs : undefined,
      observed: Number.isNaN(observed) ? null : observed,
      expected: series.hasBaseline(s) ? { low: series.expectedLow(s), center: series.baseline(s), high: series.expectedHigh(s) } : undefined,
      score: series.score(s),
      spanCount: series.lastIntervalCount,
      traceIds: s === SignalIndex.error_ratio ? preferFailed(series) : series.slowestTraceIds(),
      recent: series.ring.recent(s, this.evidenceIntervals),
    };
  }

  private report(event: AnomalyEvent): void {
    const s = SignalIndex[event.signal];
    if (event.edge === 'start') this.starts[s] = (this.starts[s] as number) + 1;
    else this.ends[s] = (this.ends[s] as number) + 1;
    this.ring[this.ringNext] = event;
    this.ringNext = (this.ringNext + 1) % this.maxRecentEvents;
    if (this.ringSize < this.maxRecentEvents) this.ringSize++;
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.onError?.(error);
      }
    }
  }
}

/** The end of an anomaly that cannot resume after a restart: no value, the band it started against. */
function orphanEnd(open: OpenAnomalyState, atMs: number): AnomalyEvent {
  const evidence: AnomalyEventState | null = open.evidence;
  return {
    edge: 'end',
    key: open.key,
    signal: open.signal,
    unit: SIGNAL_INFO[SignalIndex[open.signal]]!.unit,
    atMs,
    startedAtMs: open.startedAtMs,
    endedAtMs: atMs,
    observed: null,
    expected: evidence?.expected ?? undefined,
    score: 0,
    spanCount: 0,
    traceIds: [],
    recent: [],
  };
}

/** For errors, the failed spans are the evidence; when the interval had none, its slowest spans. */
function preferFailed(series: BaselineSeries): string[] {
  const failed = series.slowestFailedTraceIds();
  return failed.length > 0 ? failed : series.slowestTraceIds();
}
