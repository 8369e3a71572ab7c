import type { SloAlertEvent } from '../engine/slo-alert-event';
import { budgetExhaustionSeconds } from '../slo/budget';
import { DAY_MS } from '../slo/durations';
import type { ObjectiveSpec, Severity } from '../slo/objective';
import type { AlertEvent } from './alert-event';
import { ALERTNAME_LABEL, prometheusLabelName } from './alert-event';
import { formatDurationSeconds, formatFactor, formatPercent } from './alert-text';
import { slothSloName } from '../rules/sloth-names';

/** The alertname of every multiwindow burn-rate alert. */
export const SLO_ALERTNAME = 'SloErrorBudgetBurn';

/**
 * `severity` as Alertmanager routes usually expect it (Sloth's examples use
 * the same pair): a page is `critical`, a ticket `warning`. The SRE
 * Workbook's own word stays in `sloth_severity`.
 */
export const SLO_SEVERITY_LABEL: Readonly<Record<Severity, string>> = { page: 'critical', ticket: 'warning' };

/** What the mapping needs from the objective beyond the event: its target and period. */
export interface SloAlertObjective {
  /** Ratio in (0, 1), e.g. 0.999. */
  readonly objective: number;
  /** The period the budget is counted over; calendar periods at their nominal length. */
  readonly periodMs: number;
  /** `30d`, `month`, … as the metrics' `window` label shows the period. */
  readonly periodLabel: string;
}

/** Calendar periods at a nominal length, as the SLO engine sizes them before the first evaluation. */
const NOMINAL_CALENDAR_MS = { week: 7 * DAY_MS, month: 30 * DAY_MS } as const;

export function sloAlertObjectiveOf(spec: ObjectiveSpec): SloAlertObjective {
  if (spec.period.kind === 'calendar') {
    return { objective: spec.objective, periodMs: NOMINAL_CALENDAR_MS[spec.period.unit], periodLabel: spec.period.unit };
  }
  const ms = spec.period.durationMs;
  return { objective: spec.objective, periodMs: ms, periodLabel: ms % DAY_MS === 0 ? `${ms / DAY_MS}d` : `${ms / 3_600_000}h` };
}

/**
 * A burn-rate alert transition as an alert event.
 *
 * Labels: `alertname` (SloErrorBudgetBurn), `slo`, `severity` (critical or
 * warning), the series' own labels (`service` and the group_by keys, made
 * valid label names: `http.route` → `http_route`), and Sloth's alert labels
 * so Sloth-based routes and dashboards match: `sloth_id`
 * (`<service>-<slo>`), `sloth_service`, `sloth_slo`, `sloth_severity`
 * (page or ticket).
 *
 * The description gives both burn rates against the rule's threshold, the
 * budget remaining and, with `objective`, the forecast of when the budget is
 * spent if the long window's burn rate holds (`remaining × period /
 * burnRate`, as slowatch_slo_budget_exhaustion_seconds computes it at 1h;
 * the quick page rule's long window is that hour).
 */
export function alertEventFromSlo(event: SloAlertEvent, objective?: SloAlertObjective): AlertEvent {
  const service = event.labels.service ?? '';
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(event.labels)) labels[prometheusLabelName(key)] = value;
  Object.assign(labels, {
    [ALERTNAME_LABEL]: SLO_ALERTNAME,
    slo: event.slo,
    severity: SLO_SEVERITY_LABEL[event.severity],
    sloth_id: `${service}-${slothSloName(event.slo, service)}`,
    sloth_service: service,
    sloth_slo: slothSloName(event.slo, service),
    sloth_severity: event.severity,
  });

  const target = objective === undefined ? '' : ` (objective ${formatPercent(objective.objective)} over ${objective.periodLabel})`;
  const who = service === '' ? `SLO ${event.slo}` : `SLO ${event.slo} of ${service}`;
  const summary =
    event.state === 'firing'
      ? `${who} is burning its error budget too fast (${event.severity})`
      : `${who} is no longer burning its error budget too fast (${event.severity})`;
  const burn =
    `burn rate ${formatFactor(event.longBurnRate)} over ${event.longWindow} and ${formatFactor(event.shortBurnRate)} over ${event.shortWindow} ` +
    `(alert threshold ${formatFactor(event.factor)})`;
  const remaining = `error budget remaining ${formatPercent(event.errorBudgetRemaining)}`;
  let forecast = '';
  if (objective !== undefined) {
    const seconds = budgetExhaustionSeconds(event.errorBudgetRemaining, event.longBurnRate, objective.periodMs);
    forecast =
      seconds === Infinity
        ? '; not burning'
        : seconds <= 0
          ? '; the budget is exhausted'
          : `; at the ${event.longWindow} burn rate the budget is exhausted in ${formatDurationSeconds(seconds)}`;
  }
  const description = `${who}${target}: ${burn}; ${remaining}${forecast}.`;
  return { source: 'slo', state: event.state, labels, annotations: { summary, description }, atMs: event.atMs };
}
