import type { BaselineSeries } from '../../src/baseline/baseline-series';
import { SignalIndex } from '../../src/baseline/baseline-signal';
import type { BaselineListener } from '../../src/engine/baseline-engine';
import type { KeyRollupRow } from '../../src/storage/store-records';
import { BoundedBuffer } from './bounded-buffer';

/** The readings of BaselineSeries a key rollup row is made of. */
export type BaselineReadings = Pick<
  BaselineSeries,
  'labels' | 'lastIntervalCount' | 'observedValue' | 'hasBaseline' | 'expectedLow' | 'baseline' | 'expectedHigh'
>;

/**
 * A baseline listener that turns every closed interval of every key into a
 * KeyRollupRow, buffered until the next store write. Intervals without
 * spans make no row (a missing row means no traffic), which keeps idle keys
 * from filling the store.
 *
 * Memory: the buffer holds at most `capacity` rows of about 300 B (20 000
 * rows: about 6 MB), past which rows are dropped and counted.
 */
export class KeyRollupRecorder implements BaselineListener {
  readonly buffer: BoundedBuffer<KeyRollupRow>;
  private stopped = false;

  constructor(
    capacity: number,
    private readonly intervalMs: number,
    private readonly onFirstDrop: () => void,
  ) {
    this.buffer = new BoundedBuffer(capacity);
  }

  intervalClosed(series: BaselineSeries, endMs: number): void {
    this.record(series, endMs);
  }

  keyEvicted(): void {
    // Nothing to store: the key's last interval was already recorded.
  }

  /** From now on intervals are ignored (the engine has no removeListener). */
  stop(): void {
    this.stopped = true;
  }

  record(series: BaselineReadings, endMs: number): void {
    if (this.stopped) return;
    const count = series.lastIntervalCount;
    if (count === 0) return;
    const errorRatio = orNull(series.observedValue(SignalIndex.error_ratio));
    const p95 = SignalIndex.latency_p95;
    const modelled = series.hasBaseline(p95);
    const row: KeyRollupRow = {
      service: series.labels.service,
      operation: series.labels.operation,
      spanKind: series.labels.spanKind,
      endMs,
      intervalMs: this.intervalMs,
      count,
      errors: errorRatio === null ? 0 : Math.round(errorRatio * count),
      p50Ms: orNull(series.observedValue(SignalIndex.latency_p50)),
      p95Ms: orNull(series.observedValue(p95)),
      p99Ms: orNull(series.observedValue(SignalIndex.latency_p99)),
      errorRatio,
      throughput: orNull(series.observedValue(SignalIndex.throughput)) ?? 0,
      p95ExpectedLow: modelled ? orNull(series.expectedLow(p95)) : null,
      p95ExpectedCenter: modelled ? orNull(series.baseline(p95)) : null,
      p95ExpectedHigh: modelled ? orNull(series.expectedHigh(p95)) : null,
    };
    const before = this.buffer.dropped;
    if (!this.buffer.push(row) && before === 0) this.onFirstDrop();
  }
}

function orNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
