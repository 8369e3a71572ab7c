import { googleAlertWindows } from '../../slo/alert-windows';
import { DAY_MS, MINUTE_MS, SECOND_MS } from '../../slo/durations';
import type { AlertingSpec, BudgetingSpec, ObjectiveSpec, PeriodSpec, SliSpec, SpanSelector } from '../../slo/objective';
import { mapAlertPolicySpec, toAlertWindows } from './openslo-alerting';
import type { BurnRateCondition } from './openslo-alerting';
import { parseDurationShorthand, shorthandMs, SHORTHAND_RULE } from './openslo-duration';
import type { OpenSloField } from './openslo-field';
import { mapIndicatorSpec } from './openslo-indicator';
import type { SpanIndicator, SpanSelection } from './openslo-indicator';
import type { Lookup } from './openslo-lookup';
import { mapTimeWindow } from './openslo-time-window';
import { isObjectiveName } from '../../slo/objective-name';
import { percentToRatio } from '../../slo/percent';

/**
 * One OpenSLO SLO document → slowatch objectives, one per entry of
 * `spec.objectives`:
 *
 * - name: the SLO's metadata.name when it has one objective; with several,
 *   `<name>-<displayName as a slug>` (lower case, runs of other characters
 *   turned into "-"), or `<name>-<index>` for an objective without a
 *   displayName. It becomes the `slo` label, so it must be
 *   [a-z0-9-], not starting or ending with "-", at most 63 characters;
 * - objective: `target` (0 < target < 1) or `targetPercent` (0 < p < 100);
 * - budgetingMethod: Occurrences → occurrences; Timeslices → timeslices with
 *   each objective's timeSliceWindow (1m to 5m: a number is minutes) and
 *   timeSliceTarget (> 0 and <= 1); RatioTimeslices (the mean of the
 *   slices' ratios) has no slowatch equivalent and is refused;
 * - thresholdMetric: each objective's `op: lt|lte` and `value` (> 0, in the
 *   metric's unit) make the latency threshold. slowatch counts a span as
 *   good when it takes at most the threshold, so lt and lte map alike;
 *   gt and gte are refused. On a ratioMetric an objective's `op` is
 *   ignored (the specification's own examples carry one) and `value` is refused;
 * - group_by, max_series and min_events take processors.slo's defaults.
 */

export interface OpenSloMappingOptions {
  /** Alerting of an SLO without alertPolicies. @default page and ticket on Google's windows (googleAlertWindows) */
  readonly defaultAlerting?: AlertingSpec;
  /** Period of an SLO without timeWindow. @default rolling 30d */
  readonly defaultPeriod?: PeriodSpec;
  /** @default 200 */
  readonly maxSeries?: number;
  /** @default 0 */
  readonly minEvents?: number;
}

/** How an SLO finds the objects it references (see openslo-catalog.ts). */
export interface SloReferences {
  readonly indicators: Lookup<SpanIndicator>;
  readonly dataSources: Lookup<SpanSelection>;
  readonly policies: Lookup<readonly BurnRateCondition[]>;
  readonly conditions: Lookup<BurnRateCondition>;
}

const NAME_RULE = 'lower-case letters, digits and "-" (not first or last), at most 63 characters';
const BUDGETING_METHODS = ['Occurrences', 'Timeslices', 'RatioTimeslices'] as const;

/** Time-slice bounds of processors/slo/config.ts (timeslicesSchema); a test keeps the two in step. */
export function isSupportedSliceMs(ms: number): boolean {
  return ms >= SECOND_MS && ms <= 5 * MINUTE_MS && (MINUTE_MS % ms === 0 || ms % MINUTE_MS === 0);
}

/** Maps one SLO document (`root` is the whole document); undefined after reporting its problems. */
export function mapSloDocument(root: OpenSloField, references: SloReferences, options: OpenSloMappingOptions = {}): ObjectiveSpec[] | undefined {
  const spec = root.get('spec');
  const sloName = root.document.label.name;
  if (spec.mapping('a mapping with service, indicator (or indicatorRef), timeWindow, budgetingMethod and objectives', true) === undefined) return undefined;

  const indicator = mapSloIndicator(spec, references);
  const sloService = spec.get('service').string('a service name');
  const period = mapTimeWindow(spec.get('timeWindow'), options.defaultPeriod ?? { kind: 'rolling', durationMs: 30 * DAY_MS });
  const methodField = spec.get('budgetingMethod');
  const method = methodField.string(BUDGETING_METHODS.join(', '), true);
  let budgetingOk = method !== undefined;
  if (method === 'RatioTimeslices') {
    budgetingOk = methodField.fail(
      'RatioTimeslices (the mean of the time slices\' good ratios) has no slowatch equivalent; use Timeslices (the share of slices meeting timeSliceTarget) or Occurrences',
    ) ?? false;
  } else if (method !== undefined && method !== 'Occurrences' && method !== 'Timeslices') {
    budgetingOk = methodField.fail(`must be one of ${BUDGETING_METHODS.join(', ')}, got ${JSON.stringify(method)}`) ?? false;
  }
  const alerting = mapSloAlerting(spec.get('alertPolicies'), period, references, options);

  const objectiveItems = spec.get('objectives').items('a list of objectives', true);
  if (objectiveItems !== undefined && objectiveItems.length === 0) spec.get('objectives').fail('must list at least one objective');
  const names = objectiveNames(root, objectiveItems ?? []);
  // When the indicator could not be mapped, its inline form still tells which objective keys apply.
  const metric = indicator?.metric ?? inlineMetricKind(spec.get('indicator'));
  const drafts = (objectiveItems ?? []).map((item) => mapObjective(item, metric, indicator?.unitMs ?? 1, budgetingOk ? method : undefined));

  if (indicator === undefined || period === undefined || !budgetingOk || alerting === undefined || names === undefined || objectiveItems === undefined) return undefined;
  if (objectiveItems.length === 0 || drafts.some((d) => d === undefined)) return undefined;
  if (sloService === undefined && !spec.get('service').isAbsent) return undefined;

  const serviceName = indicator.selection.service ?? sloService;
  const selector: SpanSelector = {
    ...(indicator.selection.spanKind !== 'any' && { spanKind: indicator.selection.spanKind ?? 'server' }),
    operations: [...(indicator.selection.operations ?? [])],
    attributes: { ...indicator.selection.attributes },
  };
  return drafts.map((draft, index): ObjectiveSpec => {
    const d = draft as ObjectiveDraft;
    return {
      name: names[index] ?? sloName,
      ...(serviceName !== undefined && serviceName !== '*' && { service: serviceName }),
      selector: { ...selector, operations: [...selector.operations], attributes: { ...selector.attributes } },
      sli: d.sli,
      objective: d.objective,
      period,
      budgeting: d.budgeting,
      groupBy: [],
      maxSeries: options.maxSeries ?? 200,
      alerting,
      minEvents: options.minEvents ?? 0,
    };
  });
}

function mapSloIndicator(spec: OpenSloField, references: SloReferences): SpanIndicator | undefined {
  const inline = spec.get('indicator');
  const refField = spec.get('indicatorRef');
  if (inline.isAbsent === refField.isAbsent) {
    return spec.fail(`must have exactly one of indicator and indicatorRef, got ${inline.isAbsent ? 'neither' : 'both'}`);
  }
  if (!inline.isAbsent) {
    if (inline.mapping('an inline SLI: a mapping with metadata and spec', true) === undefined) return undefined;
    return mapIndicatorSpec(inline.get('spec'), references.dataSources);
  }
  const ref = refField.string('the name of an SLI');
  if (ref === undefined) return undefined;
  const found = references.indicators(ref);
  if (!found.found) return refField.fail(`no SLI named ${JSON.stringify(ref)} in the OpenSLO files (SLIs: ${found.known.length > 0 ? found.known.join(', ') : 'none'})`);
  return found.value;
}

function inlineMetricKind(indicator: OpenSloField): SpanIndicator['metric'] | undefined {
  const spec = indicator.get('spec');
  if (!spec.get('thresholdMetric').isAbsent) return 'threshold';
  return spec.get('ratioMetric').isAbsent ? undefined : 'ratio';
}

/** The policies' references are checked even when the period is not valid; the thresholds need the period. */
function mapSloAlerting(policies: OpenSloField, period: PeriodSpec | undefined, references: SloReferences, options: OpenSloMappingOptions): AlertingSpec | undefined {
  const items = policies.items('a list of alert policies (alertPolicyRef or an inline AlertPolicy)');
  if (items === undefined) return undefined;
  if (items.length === 0) return options.defaultAlerting ?? { page: true, ticket: true, windows: googleAlertWindows() };
  const collected: { readonly item: OpenSloField; readonly condition: BurnRateCondition }[] = [];
  let ok = true;
  for (const item of items) {
    const conditions = mapPolicyItem(item, references);
    if (conditions === undefined) ok = false;
    else collected.push(...conditions.map((condition) => ({ item, condition })));
  }
  if (!ok || period === undefined) return undefined;
  // All policies' rules together, so quick/slow is decided across them (as for one `alerting.windows` list).
  const converted = toAlertWindows(
    collected.map((c) => c.condition),
    period,
  );
  if (!converted.ok) {
    const at = collected.find((c) => c.condition === converted.condition)?.item ?? policies;
    return at.fail(`AlertCondition ${JSON.stringify(converted.condition.name)}: ${converted.reason}`);
  }
  const windows = converted.windows;
  return { page: windows.some((w) => w.severity === 'page'), ticket: windows.some((w) => w.severity === 'ticket'), windows };
}

function mapPolicyItem(item: OpenSloField, references: SloReferences): readonly BurnRateCondition[] | undefined {
  if (item.mapping('alertPolicyRef: <name>, or an inline AlertPolicy (kind, metadata, spec)', true) === undefined) return undefined;
  const refField = item.get('alertPolicyRef');
  if (!refField.isAbsent) {
    const ref = refField.string('the name of an AlertPolicy');
    if (ref === undefined) return undefined;
    const found = references.policies(ref);
    if (!found.found) return refField.fail(`no AlertPolicy named ${JSON.stringify(ref)} in the OpenSLO files (AlertPolicies: ${found.known.length > 0 ? found.known.join(', ') : 'none'})`);
    return found.value;
  }
  const kindField = item.get('kind');
  if (!kindField.isAbsent && kindField.value !== 'AlertPolicy') return kindField.failExpecting('AlertPolicy (an inline policy) or alertPolicyRef');
  if (item.get('metadata').get('name').string('a non-empty string', true) === undefined) return undefined;
  return mapAlertPolicySpec(item.get('spec'), references.conditions);
}

interface ObjectiveDraft {
  readonly sli: SliSpec;
  readonly objective: number;
  readonly budgeting: BudgetingSpec;
}

function mapObjective(item: OpenSloField, metric: SpanIndicator['metric'] | undefined, unitMs: number, method: string | undefined): ObjectiveDraft | undefined {
  if (item.mapping('a mapping with target (or targetPercent)', true) === undefined) return undefined;
  const objective = mapTarget(item);
  for (const key of ['indicator', 'indicatorRef']) {
    const perObjective = item.get(key);
    if (!perObjective.isAbsent) return perObjective.fail('per-objective indicators (composite SLOs) are not supported; give the SLO one indicator');
  }

  let budgeting: BudgetingSpec | undefined;
  if (method === 'Occurrences') budgeting = { kind: 'occurrences' };
  else if (method === 'Timeslices') budgeting = mapTimeslices(item);

  let sli: SliSpec | undefined;
  const opField = item.get('op');
  const valueField = item.get('value');
  if (metric === 'threshold') {
    const op = opField.string('lt or lte', true);
    if (op !== undefined && op !== 'lt' && op !== 'lte') {
      opField.fail(`slowatch's latency objectives count a span as good when it takes at most value: must be lt or lte, got ${JSON.stringify(op)}`);
    }
    const value = valueField.number('a duration > 0 in the metric\'s unit (metricSource.spec.unit, default ms)', (n) => n > 0, true);
    if (value !== undefined && (op === 'lt' || op === 'lte')) sli = { kind: 'latency', thresholdMs: value * unitMs };
  } else if (metric === 'ratio') {
    if (!valueField.isAbsent) valueField.fail('only for thresholdMetric: a ratioMetric objective has no value');
    else sli = { kind: 'availability' };
  }
  if (objective === undefined || budgeting === undefined || sli === undefined) return undefined;
  return { sli, objective, budgeting };
}

function mapTarget(item: OpenSloField): number | undefined {
  const target = item.get('target');
  const percent = item.get('targetPercent');
  if (target.isAbsent === percent.isAbsent) return item.fail(`must have exactly one of target and targetPercent, got ${target.isAbsent ? 'neither' : 'both'}`);
  if (!target.isAbsent) return target.number('a ratio > 0 and < 1', (n) => n > 0 && n < 1, true);
  const p = percent.number('a percentage > 0 and < 100', (n) => n > 0 && n < 100, true);
  return p === undefined ? undefined : percentToRatio(p);
}

function mapTimeslices(item: OpenSloField): BudgetingSpec | undefined {
  const target = item.get('timeSliceTarget').number('a ratio > 0 and <= 1 (required by budgetingMethod Timeslices)', (n) => n > 0 && n <= 1, true);
  const windowField = item.get('timeSliceWindow');
  const sliceRule = `1m to 5m (slowatch's time slices; a number is minutes, or ${SHORTHAND_RULE})`;
  let sliceMs: number | undefined;
  if (typeof windowField.value === 'number') {
    sliceMs = Number.isInteger(windowField.value) && windowField.value > 0 ? windowField.value * MINUTE_MS : undefined;
  } else {
    const text = windowField.string(`${sliceRule}, required by budgetingMethod Timeslices`, true);
    const parsed = text === undefined ? undefined : parseDurationShorthand(text);
    if (parsed !== undefined && !parsed.ok) return windowField.fail(`must be ${sliceRule}, got ${JSON.stringify(text)}: ${parsed.reason}`);
    if (text === undefined) return undefined;
    sliceMs = parsed?.ok === true ? shorthandMs(parsed.value) : undefined;
  }
  if (sliceMs === undefined || !isSupportedSliceMs(sliceMs)) return windowField.failExpecting(sliceRule);
  return target === undefined ? undefined : { kind: 'timeslices', sliceMs, target };
}

/** Objective names (see the file comment); undefined after reporting. */
function objectiveNames(root: OpenSloField, items: readonly OpenSloField[]): string[] | undefined {
  const sloName = root.document.label.name;
  const nameField = root.get('metadata').get('name');
  if (!isObjectiveName(sloName)) {
    return nameField.fail(`becomes the slo label: must be ${NAME_RULE}, got ${JSON.stringify(sloName)}`);
  }
  if (items.length <= 1) return [sloName];
  const names: string[] = [];
  const firstIndex = new Map<string, number>();
  let ok = true;
  items.forEach((item, index) => {
    const displayName = item.get('displayName');
    const text = typeof displayName.value === 'string' ? displayName.value : '';
    const slug = text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
    const name = `${sloName}-${slug === '' ? String(index) : slug}`;
    const where = displayName.isAbsent ? item : displayName;
    if (name.length > 63) ok = where.fail(`makes the objective name ${JSON.stringify(name)}, longer than the 63 characters of an slo label; shorten metadata.name or displayName`) ?? false;
    const first = firstIndex.get(name);
    if (first !== undefined) ok = where.fail(`makes the objective name ${JSON.stringify(name)}, already made by objectives[${first}]`) ?? false;
    else firstIndex.set(name, index);
    names.push(name);
  });
  return ok ? names : undefined;
}

