import type { ExpectedBand } from '../anomaly/anomaly-detector';
import type { BaselineSignal } from '../baseline/baseline-signal';
import { SIGNAL_INFO, SignalIndex, isBaselineSignal } from '../baseline/baseline-signal';
import type { BaselineKeyLabels } from '../baseline/baseline-series';
import type { AnomalyEvent } from './anomaly-event';
import { fieldPath, malformed, readArray, readCount, readRecord, readString } from '../slo/snapshot-reader';
import { readReal } from '../anomaly/state-reader';

/** Version of the `AnomalyEngineState` layout; bumped on any incompatible change. */
export const ANOMALY_ENGINE_STATE_FORMAT = 1;

/** An `AnomalyEvent` with null where the event has undefined (a state holds no undefined). */
export interface AnomalyEventState extends Omit<AnomalyEvent, 'endedAtMs' | 'expected'> {
  readonly endedAtMs: number | null;
  readonly expected: ExpectedBand | null;
}

/** One anomaly open at export: its key, signal, start and the start event when the recent ring still held it. */
export interface OpenAnomalyState {
  readonly key: BaselineKeyLabels;
  readonly signal: BaselineSignal;
  readonly startedAtMs: number;
  readonly evidence: AnomalyEventState | null;
}

/**
 * What the anomaly engine needs to resume after a restart: the anomalies
 * open (so none starts a second time and each still gets its end) and the
 * recent-events ring, as one structured-clone-able value.
 *
 * Serialised size: ≈ 0.6–1 KB per event (labels, band, 10 recent values,
 * up to 3 trace ids), so ≈ 100 KB for the default ring of 100, plus about
 * the same per open anomaly (its evidence).
 */
export interface AnomalyEngineState {
  readonly format: typeof ANOMALY_ENGINE_STATE_FORMAT;
  readonly intervalMs: number;
  /** The baseline model's fingerprint: open anomalies only resume on baselines saved under it. */
  readonly baselineFingerprint: string;
  readonly open: readonly OpenAnomalyState[];
  /** Oldest first. */
  readonly recentEvents: readonly AnomalyEventState[];
}

export function eventToState(event: AnomalyEvent): AnomalyEventState {
  return { ...event, endedAtMs: event.endedAtMs ?? null, expected: event.expected ?? null, traceIds: [...event.traceIds], recent: [...event.recent] };
}

export function eventFromState(state: AnomalyEventState): AnomalyEvent {
  return { ...state, endedAtMs: state.endedAtMs ?? undefined, expected: state.expected ?? undefined };
}

export function parseKeyLabels(value: unknown, path: string): BaselineKeyLabels {
  const record = readRecord(value, path);
  return { service: readString(record, 'service', path), operation: readString(record, 'operation', path), spanKind: readString(record, 'spanKind', path) };
}

export function parseSignal(record: Readonly<Record<string, unknown>>, key: string, path: string): BaselineSignal {
  const signal = readString(record, key, path);
  if (!isBaselineSignal(signal)) malformed(fieldPath(path, key), 'a baseline signal', signal);
  return signal;
}

function nullableReal(record: Readonly<Record<string, unknown>>, key: string, path: string): number | null {
  return record[key] === null ? null : readReal(record, key, path);
}

/** Checks one saved event; throws a TypeError naming the field. */
export function parseAnomalyEvent(value: unknown, path: string): AnomalyEventState {
  const record = readRecord(value, path);
  const edge = readString(record, 'edge', path);
  if (edge !== 'start' && edge !== 'end') malformed(fieldPath(path, 'edge'), "'start' or 'end'", edge);
  const signal = parseSignal(record, 'signal', path);
  let expected: ExpectedBand | null = null;
  if (record.expected !== null) {
    const bandPath = fieldPath(path, 'expected');
    const band = readRecord(record.expected, bandPath);
    expected = { low: readReal(band, 'low', bandPath), center: readReal(band, 'center', bandPath), high: readReal(band, 'high', bandPath) };
  }
  const traceIds = readArray(record, 'traceIds', path).map((id, i) => (typeof id === 'string' ? id : malformed(`${fieldPath(path, 'traceIds')}[${i}]`, 'a string', id)));
  const recent = readArray(record, 'recent', path).map((v, i) =>
    v === null || typeof v === 'number' ? v : malformed(`${fieldPath(path, 'recent')}[${i}]`, 'a number or null', v),
  );
  return {
    edge,
    key: parseKeyLabels(record.key, fieldPath(path, 'key')),
    signal,
    unit: SIGNAL_INFO[SignalIndex[signal]]!.unit,
    atMs: readReal(record, 'atMs', path),
    startedAtMs: readReal(record, 'startedAtMs', path),
    endedAtMs: nullableReal(record, 'endedAtMs', path),
    observed: nullableReal(record, 'observed', path),
    expected,
    score: readReal(record, 'score', path),
    spanCount: readCount(record, 'spanCount', path),
    traceIds,
    recent,
  };
}
