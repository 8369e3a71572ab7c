import type { SloWindowSnapshot } from '../slo/slo-window-snapshot';
import { parseSloWindowSnapshot } from '../slo/slo-window-snapshot';
import type { BurnRateAlertSnapshot } from '../slo/burn-rate-alert-snapshot';
import { parseBurnRateAlertSnapshot } from '../slo/burn-rate-alert-snapshot';
import { fieldPath, readCount, readRecord } from '../slo/snapshot-reader';

/**
 * One `SloSeries`' state as plain, structured-clone-able data: the
 * cumulative counters, the windowed counts and the alert state. Labels are
 * not part of it; the engine's state stores them beside it.
 *
 * Serialised size: the window state's arrays (21 888 B for a 30d rolling
 * period, 10 368 B for a calendar period) plus about 0.5 KB of keys, numbers
 * and rule signatures.
 */
export interface SloSeriesSnapshot {
  /** Good events counted since the series was created (survives restarts). */
  readonly goodEvents: number;
  readonly badEvents: number;
  /** Events dropped as too old for every window. */
  readonly lateEvents: number;
  readonly window: SloWindowSnapshot;
  readonly alert: BurnRateAlertSnapshot;
}

/**
 * Checks that `value` is a well-formed `SloSeriesSnapshot` and returns it
 * typed (arrays not copied).
 *
 * @param path where the value sits in the whole state, for messages.
 * @throws TypeError naming the first malformed field.
 */
export function parseSloSeriesSnapshot(value: unknown, path: string): SloSeriesSnapshot {
  const record = readRecord(value, path);
  return {
    goodEvents: readCount(record, 'goodEvents', path),
    badEvents: readCount(record, 'badEvents', path),
    lateEvents: readCount(record, 'lateEvents', path),
    window: parseSloWindowSnapshot(record.window, fieldPath(path, 'window')),
    alert: parseBurnRateAlertSnapshot(record.alert, fieldPath(path, 'alert')),
  };
}
