import type { ExpectedBand } from '../anomaly/anomaly-detector';
import type { BaselineSignal, SignalUnit } from '../baseline/baseline-signal';
import type { BaselineKeyLabels } from '../baseline/baseline-series';

/**
 * An anomaly that started or ended on one signal of one key, with the
 * evidence behind it. Values are in the signal's unit (`unit`): latency in
 * milliseconds, error ratio 0..1, throughput in spans per second.
 */
export interface AnomalyEvent {
  readonly edge: 'start' | 'end';
  readonly key: BaselineKeyLabels;
  readonly signal: BaselineSignal;
  readonly unit: SignalUnit;
  /** End of the interval whose value opened (or closed) the anomaly (Unix ms). */
  readonly atMs: number;
  /** Start of the interval in which the anomaly was first reported. */
  readonly startedAtMs: number;
  /** End events: when it ended (= atMs); undefined on start events. */
  readonly endedAtMs: number | undefined;
  /** The signal's value in that interval; null when the interval had none (no spans). */
  readonly observed: number | null;
  /** The detector's band for that interval: `center` is the baseline. */
  readonly expected: ExpectedBand | undefined;
  /** The detector's score, 0..1. */
  readonly score: number;
  /** Spans in that interval. */
  readonly spanCount: number;
  /**
   * Trace ids (lower-case hex) of the interval's slowest spans, slowest
   * first; for error_ratio, of its slowest failed spans.
   */
  readonly traceIds: readonly string[];
  /** The signal's values over the last intervals, oldest first (null: none), ending with `observed`. */
  readonly recent: readonly (number | null)[];
}

const UNIT_SUFFIX: Readonly<Record<AnomalyEvent['unit'], string>> = { ms: ' ms', ratio: '', 'spans/s': ' spans/s' };

function formatValue(value: number | null | undefined, unit: AnomalyEvent['unit']): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'none';
  const digits = unit === 'ratio' ? 4 : Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${UNIT_SUFFIX[unit]}`;
}

/** One log line for an anomaly edge, readable without the metrics at hand. */
export function describeAnomaly(event: AnomalyEvent): string {
  const { service, operation, spanKind } = event.key;
  const band =
    event.expected === undefined
      ? 'no baseline'
      : `expected ${formatValue(event.expected.center, event.unit)} (${formatValue(event.expected.low, event.unit)}..${formatValue(event.expected.high, event.unit)})`;
  const duration = event.edge === 'end' ? ` after ${Math.round((event.atMs - event.startedAtMs) / 1000)}s` : '';
  const traces = event.traceIds.length > 0 ? `, traces ${event.traceIds.join(',')}` : '';
  return (
    `anomaly ${event.edge === 'start' ? 'started' : 'ended'}${duration}: service=${service} operation=${JSON.stringify(operation)} span_kind=${spanKind} ` +
    `signal=${event.signal} observed ${formatValue(event.observed, event.unit)}, ${band}, score ${event.score.toFixed(2)}, ${event.spanCount} spans${traces}`
  );
}
