import type { AlertWindow } from '../slo/objective';

/**
 * The rule model: one SLO as the Prometheus rule generator sees it. It is
 * the common form of a Sloth `prometheus/v1` SLO, an OpenSLO v1alpha SLO and
 * one of our own objectives (see objective-rules.ts), modelled on what Sloth
 * (github.com/slok/sloth) generates from: PromQL SLI templates with a
 * `{{.window}}` placeholder, an objective in percent, a period, alert windows
 * and the labels and annotations of the page and ticket alerts.
 */

/** The SLI as PromQL templates; `{{.window}}` (spaces allowed) is replaced by each window, e.g. `5m`. */
export type RuleSli =
  /** Error ratio = error_query / total_query (Sloth's `events` SLI). */
  | { readonly kind: 'events'; readonly errorQuery: string; readonly totalQuery: string }
  /** The error ratio itself (Sloth's `raw` SLI). */
  | { readonly kind: 'raw'; readonly errorRatioQuery: string };

/**
 * Which service an SLO belongs to. `fixed`: one service, written into the
 * rules' static `sloth_service` and `sloth_id` labels, as Sloth does. `label`:
 * the service comes from a label of the SLI's own series (our objectives
 * without a fixed service); the SLI rules copy it into `sloth_service` and
 * `sloth_id` with `label_replace`, and the meta rules exist once per service seen.
 */
export type RuleSloService = { readonly kind: 'fixed'; readonly name: string } | { readonly kind: 'label'; readonly label: string };

/**
 * How `slo:sli_error:ratio_rate<period>` is computed. `average`: Sloth's way,
 * the mean of the shortest window's recorded ratios over the period
 * (`sum_over_time / count_over_time`), cheap but not weighted by traffic.
 * `direct`: the SLI template evaluated over the whole period, i.e. bad events
 * over all events of the period, which is what slowatch computes inline.
 */
export type PeriodSliMode = 'average' | 'direct';

/** One alert (page or ticket); undefined in `RuleAlerting` = disabled. */
export interface RuleAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface RuleAlerting {
  /** The `alert:` name of both rules. */
  readonly name: string;
  /** Labels and annotations of both alerts; the per-severity ones override them. */
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly page?: RuleAlert;
  readonly ticket?: RuleAlert;
}

/** Where an SLO came from, as `sloth_slo_info` reports it. */
export interface RuleSloOrigin {
  /** `sloth_mode`, e.g. `cli-gen-prom`. */
  readonly mode: string;
  /** `sloth_spec`, e.g. `prometheus/v1`. */
  readonly spec: string;
}

export interface RuleSlo {
  /** `sloth_slo`. */
  readonly name: string;
  readonly service: RuleSloService;
  /** Percent in (0, 100], as written (99.9); `sloth_objective` is its decimal text. */
  readonly objectivePercent: number;
  readonly description?: string;
  /** The spec's labels merged with the SLO's; on every recording rule. */
  readonly labels: Readonly<Record<string, string>>;
  readonly sli: RuleSli;
  readonly periodMs: number;
  readonly periodSli: PeriodSliMode;
  /** Undefined or both alerts undefined: no alert group. */
  readonly alerting?: RuleAlerting;
  /** The multiwindow multi-burn-rate rules; their windows are also the SLI windows recorded. */
  readonly windows: readonly AlertWindow[];
  readonly origin: RuleSloOrigin;
}

/** `sloth_id` of an SLO with a fixed service: `<service>-<name>`, as Sloth builds it. */
export function fixedSloId(service: string, name: string): string {
  return `${service}-${name}`;
}

// ---------------------------------------------------------------------------
// Prometheus rule file

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export type PrometheusRule = RecordingRule | AlertingRule;

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly PrometheusRule[];
}

/**
 * The record names and labels the rules use: Sloth's, so Sloth's Grafana
 * dashboards read them unchanged. Dashboards and end-to-end tests should use
 * these constants.
 */
export const SLO_RULE_NAMES = {
  /** `slo:sli_error:ratio_rate<window>`, e.g. `slo:sli_error:ratio_rate5m`; see `sliErrorRecordName`. */
  sliErrorPrefix: 'slo:sli_error:ratio_rate',
  objective: 'slo:objective:ratio',
  errorBudget: 'slo:error_budget:ratio',
  periodDays: 'slo:time_period:days',
  currentBurnRate: 'slo:current_burn_rate:ratio',
  periodBurnRate: 'slo:period_burn_rate:ratio',
  periodBudgetRemaining: 'slo:period_error_budget_remaining:ratio',
  info: 'sloth_slo_info',
} as const;

export const SLO_RULE_LABELS = {
  id: 'sloth_id',
  service: 'sloth_service',
  slo: 'sloth_slo',
  window: 'sloth_window',
  severity: 'sloth_severity',
  mode: 'sloth_mode',
  spec: 'sloth_spec',
  version: 'sloth_version',
  objective: 'sloth_objective',
} as const;

/** Group names, per SLO id (`<service>-<name>`, or the name for a service taken from a label). */
export const SLO_RULE_GROUP_PREFIXES = {
  sli: 'sloth-slo-sli-recordings-',
  meta: 'sloth-slo-meta-recordings-',
  alerts: 'sloth-slo-alerts-',
} as const;

export function sliErrorRecordName(windowLabel: string): string {
  return `${SLO_RULE_NAMES.sliErrorPrefix}${windowLabel}`;
}
