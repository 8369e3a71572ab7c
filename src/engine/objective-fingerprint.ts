import type { ObjectiveSpec } from '../slo/objective';
import { alertRuleSignature } from '../slo/burn-rate-alert-snapshot';

/**
 * What an objective's saved counts mean: one readable string per aspect that,
 * if changed, makes the counts or the alert state wrong for the new
 * definition. Saved with an objective's state; on restore, any field that
 * differs makes the objective start cold rather than mix two definitions.
 *
 * - `sli`: availability, or latency and its threshold (the counts classify by it);
 * - `objective`: the target ratio (alert thresholds, budget);
 * - `period`: rolling length, or calendar unit and zone (the rings' geometry, the counters' bounds);
 * - `budgeting`: occurrences, or slice length and target (what one event is);
 * - `groupBy`: the keys, in order (what a series' label values mean);
 * - `alerting`: the burn-rate rules (what a saved firing rule index means).
 *
 * Not included, on purpose: the selector and service (the counts stay
 * meaningful when the selection is widened or narrowed), `max_series`
 * (handled series by series), `min_events` and which severities are enabled
 * (they change future alerts, not the counts; a severity since disabled
 * resolves at the next evaluation).
 *
 * Plain strings in a plain object, so it survives `v8.serialize` and JSON.
 */
export type ObjectiveFingerprint = Readonly<Record<string, string>>;

/** The fingerprint of `spec` (see `ObjectiveFingerprint`). */
export function objectiveFingerprint(spec: ObjectiveSpec): ObjectiveFingerprint {
  const { sli, period, budgeting } = spec;
  return {
    sli: sli.kind === 'availability' ? 'availability' : `latency > ${sli.thresholdMs} ms`,
    objective: String(spec.objective),
    period: period.kind === 'rolling' ? `rolling ${period.durationMs} ms` : `calendar ${period.unit} in ${period.timeZone}`,
    budgeting:
      budgeting.kind === 'occurrences' ? 'occurrences' : `timeslices of ${budgeting.sliceMs} ms at ${budgeting.target}`,
    groupBy: JSON.stringify(spec.groupBy),
    alerting: spec.alerting.windows.map(alertRuleSignature).join('; '),
  };
}

/**
 * The differences between a saved and a current fingerprint, one phrase each
 * (`objective changed (0.999 → 0.995)`), in a stable order; empty when equal.
 * A field present on one side only counts as changed.
 */
export function fingerprintChanges(saved: ObjectiveFingerprint, current: ObjectiveFingerprint): string[] {
  const fields = [...new Set([...Object.keys(current), ...Object.keys(saved)])];
  const changes: string[] = [];
  for (const field of fields) {
    const before = saved[field];
    const after = current[field];
    if (before !== after) changes.push(`${field} changed (${before ?? 'absent'} → ${after ?? 'absent'})`);
  }
  return changes;
}
