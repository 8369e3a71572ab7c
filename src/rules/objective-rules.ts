import { sloProcessorFactory } from '../../processors/slo/config';
import { SLO_METRIC_NAMES } from '../../exporters/prometheus/slo-metrics';
import { settingsOf } from '../config/component-factory';
import type { SlowatchConfig } from '../config/slowatch-config';
import { DAY_MS } from '../slo/durations';
import type { ObjectiveSpec, PeriodSpec } from '../slo/objective';
import { DEFAULT_RULES_VERSION, generateRuleGroups } from './generate-slo-rules';
import type { GenerateRulesOptions } from './generate-slo-rules';
import { formatPrometheusDuration } from './prometheus-duration';
import { renderRuleFile } from './render-rule-file';
import type { RuleGroup, RuleSlo } from './rule-model';
import { RulesInputError } from './rules-input-error';
import { SLO_SEVERITY_LABEL } from '../alerts/slo-alert';
import { slothSloName } from './sloth-names';
import { groupByLabelName } from '../slo/objective-name';
import { ratioToPercent } from '../slo/percent';

/**
 * Our objectives as rule-model SLOs, computed in Prometheus from the
 * `slowatch_slo_events_total{slo, service, <group_by labels>, outcome}`
 * counters every agent and gateway exports, summed across instances:
 *
 *   error: sum(rate(slowatch_slo_events_total{slo="<name>",outcome="bad"}[{{.window}}])) by (service, <group_by>)
 *   total: sum(rate(slowatch_slo_events_total{slo="<name>"}[{{.window}}])) by (service, <group_by>)
 *
 * The counters already encode the SLI (availability, or latency under the
 * threshold), the selector and the service, so one query shape fits every
 * objective. Decisions (see docs/prometheus-rules.md):
 * - sloth_id `<service>-<name>`. With a fixed `service` it is static, as in
 *   Sloth; without one, the rules copy the series' `service` label into
 *   `sloth_service` and `sloth_id` (`label_replace`) and group names use the
 *   objective name.
 * - The period SLI is bad/all events over the whole period (`direct`), the
 *   figure the inline engine reports, not Sloth's average of 5m ratios.
 * - Calendar periods become rolling ones: month → 30d, week → 7d.
 * - Alert windows are the objective's own (`windows: google` or its list).
 */
export interface ObjectiveRulesOptions {
  /** Name of both alerts. @default 'SloErrorBudgetBurn' */
  readonly alertName?: string;
}

export const DEFAULT_SLO_ALERT_NAME = 'SloErrorBudgetBurn';

/** `sloth_mode` / `sloth_spec` of rules generated from our configuration. */
export const SLOWATCH_RULES_MODE = 'slowatch-config';
export const SLOWATCH_RULES_SPEC = 'slowatch/v1';

/** What a calendar period becomes in rules, which only know rolling windows. */
export const CALENDAR_PERIOD_MS = { month: 30 * DAY_MS, week: 7 * DAY_MS } as const;

/** Prometheus label of an attribute key, as the OpenTelemetry Prometheus exporter writes it (the config layer checks the same mapping). */
/** The label name of a group_by key in the SLO series (see groupByLabelName). */
export const prometheusLabelName = groupByLabelName;

export function periodMsOf(period: PeriodSpec): number {
  return period.kind === 'rolling' ? period.durationMs : CALENDAR_PERIOD_MS[period.unit];
}

export function objectiveToRuleSlo(objective: ObjectiveSpec, options: ObjectiveRulesOptions = {}): RuleSlo {
  const byLabels = ['service', ...objective.groupBy.map(prometheusLabelName)].join(', ');
  const name = JSON.stringify(objective.name);
  const events = SLO_METRIC_NAMES.events;
  const alerting = objective.alerting;
  // The same severity values as the inline alerts the alertmanager exporter sends (critical, warning),
  // so that one Alertmanager route serves both; the page/ticket wording is in sloth_severity.
  const severityAlert = (severity: 'page' | 'ticket') => ({ labels: { severity: SLO_SEVERITY_LABEL[severity] }, annotations: {} });
  return {
    name: slothSloName(objective.name, objective.service),
    service: objective.service === undefined ? { kind: 'label', label: 'service' } : { kind: 'fixed', name: objective.service },
    objectivePercent: ratioToPercent(objective.objective),
    labels: {},
    sli: {
      kind: 'events',
      errorQuery: `sum(rate(${events}{slo=${name},outcome="bad"}[{{.window}}])) by (${byLabels})`,
      totalQuery: `sum(rate(${events}{slo=${name}}[{{.window}}])) by (${byLabels})`,
    },
    periodMs: periodMsOf(objective.period),
    periodSli: 'direct',
    ...((alerting.page || alerting.ticket) && {
      alerting: {
        name: options.alertName ?? DEFAULT_SLO_ALERT_NAME,
        labels: { slo: objective.name },
        annotations: {},
        ...(alerting.page && { page: severityAlert('page') }),
        ...(alerting.ticket && { ticket: severityAlert('ticket') }),
      },
    }),
    windows: alerting.windows,
    origin: { mode: SLOWATCH_RULES_MODE, spec: SLOWATCH_RULES_SPEC },
  };
}

/** What the rules cannot express for an objective, one sentence each (empty when exact). */
export function objectiveRuleNotes(objective: ObjectiveSpec): string[] {
  const notes: string[] = [];
  const period = objective.period;
  if (period.kind === 'calendar') {
    notes.push(`${objective.name}: calendar ${period.unit} becomes a rolling ${formatPrometheusDuration(CALENDAR_PERIOD_MS[period.unit])} period (Prometheus rules have no calendar windows)`);
  }
  if (objective.budgeting.kind === 'timeslices') {
    notes.push(`${objective.name}: timeslices budgeting is counted as occurrences (bad events / all events) by the rules`);
  }
  if (objective.minEvents > 0) notes.push(`${objective.name}: min_events ${objective.minEvents} is not applied by the alert rules`);
  return notes;
}

export { ratioToPercent };

/** Every objective of every `slo` processor a pipeline uses, in pipeline then file order, each once. */
export function configObjectives(config: SlowatchConfig): ObjectiveSpec[] {
  const used = [...new Set(config.service.pipelines.flatMap((p) => p.processors))];
  return used.flatMap((id) => settingsOf(config.processors[id], sloProcessorFactory)?.objectives ?? []);
}

export interface ConfigRules {
  readonly slos: readonly RuleSlo[];
  readonly groups: readonly RuleGroup[];
  /** What the rules approximate, for the user (see objectiveRuleNotes). */
  readonly notes: readonly string[];
  /** The rule file. */
  readonly yaml: string;
}

export type ConfigRulesOptions = GenerateRulesOptions & ObjectiveRulesOptions;

/**
 * The Prometheus rules for a loaded configuration: the function the CLI,
 * dashboards and end-to-end tests share. Throws when two used processors
 * define objectives of the same name: their counters would be summed
 * together (the `slo` label is the only thing that tells them apart).
 */
export function renderConfigRules(config: SlowatchConfig, options: ConfigRulesOptions = {}): ConfigRules {
  const objectives = configObjectives(config);
  const seen = new Set<string>();
  for (const objective of objectives) {
    if (seen.has(objective.name)) {
      throw new RulesInputError([
        { path: '', message: `objective name ${JSON.stringify(objective.name)} is used by two slo processors: the rules could not tell their slowatch_slo_events_total series apart` },
      ]);
    }
    seen.add(objective.name);
  }
  const slos = objectives.map((o) => objectiveToRuleSlo(o, options));
  const groups = generateRuleGroups(slos, options);
  const version = options.version ?? DEFAULT_RULES_VERSION;
  return {
    slos,
    groups,
    notes: objectives.flatMap(objectiveRuleNotes),
    yaml: renderRuleFile(groups, { header: [`Code generated by slowatch rules (${version}) from the slo processors' objectives.`, 'DO NOT EDIT.'] }),
  };
}
