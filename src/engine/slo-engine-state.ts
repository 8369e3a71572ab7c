import type { SloSeriesSnapshot } from './slo-series-snapshot';
import { parseSloSeriesSnapshot } from './slo-series-snapshot';
import type { ObjectiveFingerprint } from './objective-fingerprint';
import {
  fieldPath,
  malformed,
  readArray,
  readBoolean,
  readNumber,
  readRecord,
  readString,
  readStringArray,
} from '../slo/snapshot-reader';

/** Version of the `SloEngineState` layout; bumped on any incompatible change. */
export const SLO_ENGINE_STATE_FORMAT = 1;

/** One series of an objective: its label values beside its state. */
export interface SloSeriesState extends SloSeriesSnapshot {
  /** Values of `service` and the group_by keys, in that order. */
  readonly labelValues: readonly string[];
  /** The series every label set beyond max_series shares. */
  readonly overflow: boolean;
}

/** One objective's series, with the fingerprint of the definition they were counted under. */
export interface SloObjectiveState {
  readonly name: string;
  readonly fingerprint: ObjectiveFingerprint;
  /** In the engine's order: series in creation order, the overflow series last. */
  readonly series: readonly SloSeriesState[];
}

/**
 * Everything the SLO engine needs to resume after a restart, as one
 * structured-clone-able value: plain objects, arrays, strings, numbers,
 * booleans, null and Float64Arrays, nothing else. `v8.serialize` /
 * `v8.deserialize` (or `structuredClone`) give it back unchanged.
 *
 * Serialised size, dominated by the window rings' arrays: about 22.4 KB per
 * 30d rolling series (21 888 B of Float64Array payload plus ~0.5 KB of keys,
 * counters and rule signatures), about 10.9 KB per calendar-period series;
 * so 1 000 series of 30d objectives take about 22 MB per snapshot, and
 * `SloEngine.exportState` allocates that much while it runs.
 */
export interface SloEngineState {
  readonly format: typeof SLO_ENGINE_STATE_FORMAT;
  /** The engine clock's now at export: how old the snapshot is, for logs. */
  readonly savedAtMs: number;
  readonly objectives: readonly SloObjectiveState[];
}

function parseFingerprint(value: unknown, path: string): ObjectiveFingerprint {
  const record = readRecord(value, path);
  const fingerprint: Record<string, string> = {};
  for (const key of Object.keys(record)) fingerprint[key] = readString(record, key, path);
  return fingerprint;
}

function parseSeries(value: unknown, path: string): SloSeriesState {
  const record = readRecord(value, path);
  return {
    labelValues: readStringArray(record, 'labelValues', path),
    overflow: readBoolean(record, 'overflow', path),
    ...parseSloSeriesSnapshot(record, path),
  };
}

function parseObjective(value: unknown, path: string): SloObjectiveState {
  const record = readRecord(value, path);
  const name = readString(record, 'name', path);
  const fingerprint = parseFingerprint(record.fingerprint, fieldPath(path, 'fingerprint'));
  const seriesPath = fieldPath(path, 'series');
  const series = readArray(record, 'series', path).map((s, i) => parseSeries(s, `${seriesPath}[${i}]`));
  return { name, fingerprint, series };
}

/**
 * Checks the whole shape of a saved state before anything is restored, so a
 * malformed value changes nothing. Whether each objective fits the current
 * configuration is decided later, per objective, by the engine.
 *
 * @throws TypeError naming the first malformed field (path from `state`),
 *   for an unknown `format`, and for two objectives of the same name.
 */
export function parseSloEngineState(value: unknown): SloEngineState {
  const path = 'state';
  const record = readRecord(value, path);
  if (record.format !== SLO_ENGINE_STATE_FORMAT) {
    malformed(fieldPath(path, 'format'), `format ${SLO_ENGINE_STATE_FORMAT}`, record.format);
  }
  const savedAtMs = readNumber(record, 'savedAtMs', path);
  const objectivesPath = fieldPath(path, 'objectives');
  const objectives = readArray(record, 'objectives', path).map((o, i) => parseObjective(o, `${objectivesPath}[${i}]`));
  const names = new Set<string>();
  objectives.forEach((o, i) => {
    if (names.has(o.name)) throw new TypeError(`${objectivesPath}[${i}].name: objective "${o.name}" appears twice`);
    names.add(o.name);
  });
  return { format: SLO_ENGINE_STATE_FORMAT, savedAtMs, objectives };
}
