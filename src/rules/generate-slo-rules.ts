import { burnRateFactor } from '../slo/alert-windows';
import type { AlertWindow, Severity } from '../slo/objective';
import { formatPrometheusDuration } from './prometheus-duration';
import { SLO_RULE_GROUP_PREFIXES, SLO_RULE_LABELS, SLO_RULE_NAMES, fixedSloId, sliErrorRecordName } from './rule-model';
import { RulesInputError } from './rules-input-error';
import type { AlertingRule, RecordingRule, RuleAlert, RuleGroup, RuleSlo } from './rule-model';

/**
 * Prometheus rules for SLOs, the way Sloth (github.com/slok/sloth) generates
 * them for its `prometheus/v1` specs, written here from its documented output
 * (the rule files in its examples and integration tests): per SLO three
 * groups,
 *
 * - `sloth-slo-sli-recordings-<id>`: the error ratio over every alert window
 *   (`slo:sli_error:ratio_rate5m` … `ratio_rate3d`) and over the period;
 * - `sloth-slo-meta-recordings-<id>`: objective, error budget, period length,
 *   current and period burn rates, budget remaining, `sloth_slo_info`;
 * - `sloth-slo-alerts-<id>`: the page and ticket multiwindow multi-burn-rate
 *   alerts of the Google SRE Workbook (ch. 5, "Alerting on SLOs"), each the
 *   `or` of its quick and slow window pairs, a pair firing when both windows
 *   burn faster than factor × error budget, with
 *   factor = errorBudgetPercent / 100 × periodHours / longWindowHours.
 *
 * Pure: same input, same output; no clock, no I/O.
 */
export interface GenerateRulesOptions {
  /** `sloth_version` of `sloth_slo_info`. @default 'slowatch' */
  readonly version?: string;
  /**
   * Labels added to every recording rule (Sloth's `--extra-labels`). SLO
   * labels override them; the sloth_* labels override both. Alerts do not
   * get them, as in Sloth. @default {}
   */
  readonly extraLabels?: Readonly<Record<string, string>>;
}

/** Default `sloth_version`. */
export const DEFAULT_RULES_VERSION = 'slowatch';

/** The groups of every SLO, in input order (sli, meta, alerts for each). */
export function generateRuleGroups(slos: readonly RuleSlo[], options: GenerateRulesOptions = {}): RuleGroup[] {
  const groups = slos.flatMap((slo) => generateSloRuleGroups(slo, options));
  const seen = new Set<string>();
  for (const group of groups) {
    // Prometheus rejects a file with two groups of one name; two SLOs with one id would also mix their series.
    if (seen.has(group.name)) {
      throw new RulesInputError([{ path: '', message: `two SLOs generate the rule group ${group.name}: SLO ids (<service>-<name>) must be unique` }]);
    }
    seen.add(group.name);
  }
  return groups;
}

/** The two or three groups of one SLO (no alert group when both alerts are disabled). */
export function generateSloRuleGroups(slo: RuleSlo, options: GenerateRulesOptions = {}): RuleGroup[] {
  const context = sloContext(slo, options);
  const groups: RuleGroup[] = [
    { name: `${SLO_RULE_GROUP_PREFIXES.sli}${context.groupId}`, rules: sliRecordings(slo, context) },
    { name: `${SLO_RULE_GROUP_PREFIXES.meta}${context.groupId}`, rules: metaRecordings(slo, context) },
  ];
  const alerts = alertRules(slo, context);
  if (alerts.length > 0) groups.push({ name: `${SLO_RULE_GROUP_PREFIXES.alerts}${context.groupId}`, rules: alerts });
  return groups;
}

/**
 * The windows recorded for an SLO: every short and long window of its alert
 * rules, shortest first, without repeats (5m, 30m, 1h, 2h, 6h, 1d, 3d with
 * Google's), even for disabled alerts: dashboards read them.
 */
export function sliWindowsMs(windows: readonly AlertWindow[]): number[] {
  return [...new Set(windows.flatMap((w) => [w.shortWindowMs, w.longWindowMs]))].sort((a, b) => a - b);
}

/** Replaces Sloth's `{{.window}}` placeholder (spaces allowed inside the braces). */
export function renderWindowTemplate(query: string, windowLabel: string): string {
  return query.replace(/\{\{\s*\.window\s*\}\}/g, windowLabel);
}

/** A PromQL string literal. */
export function promqlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

// ---------------------------------------------------------------------------

interface SloContext {
  readonly groupId: string;
  /** Selector of this SLO's recorded series: `{sloth_id="…", sloth_service="…", sloth_slo="…"}`. */
  readonly selector: string;
  /** Labels of the SLI recordings except sloth_window; meta recordings use them as they are. */
  readonly labels: Readonly<Record<string, string>>;
  readonly version: string;
  readonly periodLabel: string;
  /** `(100 - objective) / 100` as Sloth prints it in alert thresholds. */
  readonly errorBudget: number;
}

function sloContext(slo: RuleSlo, options: GenerateRulesOptions): SloContext {
  const base = { ...options.extraLabels, ...slo.labels };
  if (slo.service.kind === 'fixed') {
    const id = fixedSloId(slo.service.name, slo.name);
    return {
      groupId: id,
      selector: `{${SLO_RULE_LABELS.id}=${promqlString(id)}, ${SLO_RULE_LABELS.service}=${promqlString(slo.service.name)}, ${SLO_RULE_LABELS.slo}=${promqlString(slo.name)}}`,
      labels: { ...base, [SLO_RULE_LABELS.id]: id, [SLO_RULE_LABELS.service]: slo.service.name, [SLO_RULE_LABELS.slo]: slo.name },
      version: options.version ?? DEFAULT_RULES_VERSION,
      periodLabel: formatPrometheusDuration(slo.periodMs),
      errorBudget: (100 - slo.objectivePercent) / 100,
    };
  }
  // sloth_id and sloth_service come from the series (label_replace), so static labels must not set them:
  // a rule's static labels override the expression's.
  const labels: Record<string, string> = { ...base, [SLO_RULE_LABELS.slo]: slo.name };
  delete labels[SLO_RULE_LABELS.id];
  delete labels[SLO_RULE_LABELS.service];
  return {
    groupId: slo.name,
    selector: `{${SLO_RULE_LABELS.slo}=${promqlString(slo.name)}}`,
    labels,
    version: options.version ?? DEFAULT_RULES_VERSION,
    periodLabel: formatPrometheusDuration(slo.periodMs),
    errorBudget: (100 - slo.objectivePercent) / 100,
  };
}

function sliExpression(slo: RuleSlo, windowLabel: string): string {
  const expr =
    slo.sli.kind === 'events'
      ? `(${renderWindowTemplate(slo.sli.errorQuery, windowLabel)})\n/\n(${renderWindowTemplate(slo.sli.totalQuery, windowLabel)})\n`
      : `(${renderWindowTemplate(slo.sli.errorRatioQuery, windowLabel)})`;
  return withServiceLabels(slo, expr);
}

/** For a service taken from a label: copy it into sloth_service and sloth_id (`<service>-<name>`). */
function withServiceLabels(slo: RuleSlo, expr: string): string {
  if (slo.service.kind === 'fixed') return expr;
  const from = promqlString(slo.service.label);
  const inner = `label_replace(\n${expr.trimEnd()}\n, ${promqlString(SLO_RULE_LABELS.service)}, "$1", ${from}, "(.*)")`;
  return `label_replace(${inner}, ${promqlString(SLO_RULE_LABELS.id)}, ${promqlString(`$1-${slo.name}`)}, ${from}, "(.*)")\n`;
}

function sliRecordings(slo: RuleSlo, context: SloContext): RecordingRule[] {
  const windows = sliWindowsMs(slo.windows);
  const rules: RecordingRule[] = windows.map((ms) => {
    const label = formatPrometheusDuration(ms);
    return { record: sliErrorRecordName(label), expr: sliExpression(slo, label), labels: { ...context.labels, [SLO_RULE_LABELS.window]: label } };
  });
  // A period equal to an alert window is recorded already.
  if (!windows.includes(slo.periodMs)) {
    rules.push({ record: sliErrorRecordName(context.periodLabel), expr: periodSliExpression(slo, context, windows[0]), labels: { ...context.labels, [SLO_RULE_LABELS.window]: context.periodLabel } });
  }
  return rules;
}

function periodSliExpression(slo: RuleSlo, context: SloContext, shortestWindowMs: number | undefined): string {
  if (slo.periodSli === 'direct' || shortestWindowMs === undefined) return sliExpression(slo, context.periodLabel);
  // Sloth's optimisation: average the shortest window's ratios instead of scanning the raw series over the whole period.
  const series = `${sliErrorRecordName(formatPrometheusDuration(shortestWindowMs))}${context.selector}[${context.periodLabel}]`;
  return `sum_over_time(${series})\n/ ignoring (${SLO_RULE_LABELS.window})\ncount_over_time(${series})\n`;
}

function metaRecordings(slo: RuleSlo, context: SloContext): RecordingRule[] {
  const objectiveRatio = slo.objectivePercent / 100;
  const constant = (value: string): string => constantPerSlo(slo, context, value);
  const perBudget = (record: string): string =>
    `${record}${context.selector}\n/ on(${SLO_RULE_LABELS.id}, ${SLO_RULE_LABELS.slo}, ${SLO_RULE_LABELS.service}) group_left\n${SLO_RULE_NAMES.errorBudget}${context.selector}\n`;
  const shortest = sliWindowsMs(slo.windows)[0] ?? slo.periodMs;
  const labels = context.labels;
  return [
    { record: SLO_RULE_NAMES.objective, expr: constant(`${objectiveRatio}`), labels },
    { record: SLO_RULE_NAMES.errorBudget, expr: constant(`1-${objectiveRatio}`), labels },
    { record: SLO_RULE_NAMES.periodDays, expr: constant(`${slo.periodMs / 86_400_000}`), labels },
    { record: SLO_RULE_NAMES.currentBurnRate, expr: perBudget(sliErrorRecordName(formatPrometheusDuration(shortest))), labels },
    { record: SLO_RULE_NAMES.periodBurnRate, expr: perBudget(sliErrorRecordName(context.periodLabel)), labels },
    { record: SLO_RULE_NAMES.periodBudgetRemaining, expr: `1 - ${SLO_RULE_NAMES.periodBurnRate}${context.selector}`, labels },
    {
      record: SLO_RULE_NAMES.info,
      expr: constant('1'),
      labels: {
        ...labels,
        [SLO_RULE_LABELS.mode]: slo.origin.mode,
        [SLO_RULE_LABELS.spec]: slo.origin.spec,
        [SLO_RULE_LABELS.version]: context.version,
        [SLO_RULE_LABELS.objective]: `${slo.objectivePercent}`,
      },
    },
  ];
}

/**
 * A constant per SLO. Fixed service: `vector(value)`, as Sloth. Service from
 * a label: one sample per service the period SLI has seen (`count` ignores
 * NaN values, so a service without traffic still gets its meta series).
 */
function constantPerSlo(slo: RuleSlo, context: SloContext, value: string): string {
  if (slo.service.kind === 'fixed') return `vector(${value})`;
  const labels = `${SLO_RULE_LABELS.id}, ${SLO_RULE_LABELS.service}, ${SLO_RULE_LABELS.slo}`;
  return `0 * count by (${labels}) (${sliErrorRecordName(context.periodLabel)}${context.selector}) + (${value})`;
}

function alertRules(slo: RuleSlo, context: SloContext): AlertingRule[] {
  const alerting = slo.alerting;
  if (alerting === undefined) return [];
  const rules: AlertingRule[] = [];
  for (const severity of ['page', 'ticket'] as const) {
    const alert: RuleAlert | undefined = alerting[severity];
    if (alert === undefined) continue;
    const windows = slo.windows.filter((w) => w.severity === severity);
    if (windows.length === 0) continue;
    rules.push({
      alert: alerting.name,
      expr: alertExpression(slo, context, windows),
      labels: { ...alerting.labels, ...alert.labels, [SLO_RULE_LABELS.severity]: severity },
      annotations: { ...defaultAnnotations(severity), ...alerting.annotations, ...alert.annotations },
    });
  }
  return rules;
}

/** Quick pair first, then slow, as Sloth orders them; each pair is `short and long`, pairs are `or`ed. */
function alertExpression(slo: RuleSlo, context: SloContext, windows: readonly AlertWindow[]): string {
  const ordered = [...windows].sort((a, b) => (a.speed === b.speed ? 0 : a.speed === 'quick' ? -1 : 1));
  const burning = (windowMs: number, factor: number): string =>
    `    max(${sliErrorRecordName(formatPrometheusDuration(windowMs))}${context.selector} > (${factor} * ${context.errorBudget})) without (${SLO_RULE_LABELS.window})`;
  const pairs = ordered.map((w) => {
    const factor = burnRateFactor(w, slo.periodMs);
    return `(\n${burning(w.shortWindowMs, factor)}\n    and\n${burning(w.longWindowMs, factor)}\n)`;
  });
  return `${pairs.join('\nor\n')}\n`;
}

/** Sloth's default annotations; the spec's own override them. */
function defaultAnnotations(severity: Severity): Record<string, string> {
  const who = `{{$labels.${SLO_RULE_LABELS.service}}} {{$labels.${SLO_RULE_LABELS.slo}}}`;
  return {
    title: `(${severity}) ${who} SLO error budget burn rate is too fast.`,
    summary: `${who} SLO error budget burn rate is over expected.`,
  };
}
