import { formatDuration } from '../duration';
import { DAY_MS, SLO_WINDOWS } from '../../slo/durations';
import type { AlertWindow, PeriodSpec, Severity } from '../../slo/objective';
import { parseDurationShorthand, shorthandMs, SHORTHAND_RULE } from './openslo-duration';
import type { OpenSloField } from './openslo-field';
import type { Lookup } from './openslo-lookup';

/**
 * OpenSLO AlertPolicy / AlertCondition (`kind: burnrate`) → slowatch's
 * multiwindow burn-rate rules (Google SRE Workbook, ch. 5 "Alerting on SLOs",
 * as Sloth generates them).
 *
 * An OpenSLO burn-rate condition fires when the burn rate over
 * `lookbackWindow` stays above `threshold` for `alertAfter`. slowatch's rule
 * fires when the burn rate is above its factor over both a long and a short
 * window. The mapping:
 *
 * - `lookbackWindow` → the long window;
 * - `alertAfter` → the short window: a burn that has lasted `alertAfter` is
 *   one the short window sees (an approximation of "held for"); absent or
 *   `0m`, the Workbook's pairing short = long / 12 (1h→5m, 6h→30m, 1d→2h,
 *   3d→6h). Both must be windows slowatch keeps (5m, 30m, 1h, 2h, 6h, 1d, 3d),
 *   the short one shorter;
 * - `threshold` → the factor: the rule's share of the budget is
 *   threshold × lookbackWindow / period, so that Sloth's factor formula gives
 *   the threshold back. For calendar periods the nominal period is used
 *   (30d for a month, 7d for a week); the factor then follows the actual
 *   month's length as for every calendar SLO (±7 %). A share above 100 % (the
 *   alert could not fire before the whole budget is gone) is refused;
 * - `op`: gt or gte (the default gt); lt and lte (alert while the budget is
 *   *not* burning) have no equivalent;
 * - `severity`: page or critical → page; ticket or warning → ticket (any case);
 * - AlertPolicy: `alertWhenBreaching` must not be false, `alertWhenNoData`
 *   must not be true (slowatch never alerts on missing data);
 *   `alertWhenResolved` is accepted either way (resolutions are always sent).
 *   `notificationTargets` (and AlertNotificationTarget objects) are accepted
 *   and not used: routing belongs to Alertmanager.
 */

export interface BurnRateCondition {
  /** The AlertCondition's metadata.name, for messages. */
  readonly name: string;
  readonly severity: Severity;
  readonly threshold: number;
  readonly shortWindowMs: number;
  readonly longWindowMs: number;
}

const SEVERITIES: Readonly<Record<string, Severity>> = { page: 'page', critical: 'page', ticket: 'ticket', warning: 'ticket' };
const KEPT_WINDOWS = SLO_WINDOWS.map((w) => w.label).join(', ');
/** The Workbook's long : short window ratio. */
const WORKBOOK_SHORT_WINDOW_DIVISOR = 12;

/** An AlertCondition's `spec` → a burn-rate condition; undefined after reporting. */
export function mapAlertConditionSpec(spec: OpenSloField, name: string): BurnRateCondition | undefined {
  if (spec.mapping('a mapping with severity and condition', true) === undefined) return undefined;
  const severityField = spec.get('severity');
  const severityText = severityField.string('page or ticket (or critical, warning)', true);
  const severity = severityText === undefined ? undefined : SEVERITIES[severityText.toLowerCase()];
  if (severityText !== undefined && severity === undefined) {
    severityField.fail(`slowatch alerts are page or ticket: must be page or critical (page), ticket or warning (ticket), got ${JSON.stringify(severityText)}`);
  }
  const condition = spec.get('condition');
  if (condition.mapping('a mapping with kind: burnrate, threshold, lookbackWindow and alertAfter', true) === undefined) return undefined;

  const kindField = condition.get('kind');
  const kind = kindField.string('burnrate');
  if (kind !== undefined && kind.toLowerCase() !== 'burnrate') return kindField.fail(`slowatch alerts on burn rates only: must be burnrate, got ${JSON.stringify(kind)}`);
  const opField = condition.get('op');
  const op = opField.string('gt or gte');
  if (op !== undefined && op !== 'gt' && op !== 'gte') {
    opField.fail(`slowatch alerts when the burn rate rises above the threshold: must be gt or gte, got ${JSON.stringify(op)}`);
  }
  const threshold = condition.get('threshold').number('a burn rate > 0', (n) => n > 0, true);
  const longWindowMs = keptWindow(condition.get('lookbackWindow'), true);
  const alertAfterField = condition.get('alertAfter');
  let shortWindowMs = keptWindow(alertAfterField, false);
  if (longWindowMs !== undefined && shortWindowMs === 0) {
    const workbookShort = longWindowMs / WORKBOOK_SHORT_WINDOW_DIVISOR;
    if (SLO_WINDOWS.some((w) => w.ms === workbookShort)) shortWindowMs = workbookShort;
    else {
      shortWindowMs = condition.get('lookbackWindow').fail(
        `without alertAfter the short window is lookbackWindow / 12 (SRE Workbook), and ${formatDuration(workbookShort)} is not a window slowatch keeps; set alertAfter to one of ${KEPT_WINDOWS} shorter than lookbackWindow`,
      );
    }
  } else if (longWindowMs !== undefined && shortWindowMs !== undefined && shortWindowMs >= longWindowMs) {
    shortWindowMs = alertAfterField.fail(`must be shorter than lookbackWindow (the short window of a multiwindow rule), got ${JSON.stringify(alertAfterField.value)}`);
  }
  if (severity === undefined || (op !== undefined && op !== 'gt' && op !== 'gte') || threshold === undefined || longWindowMs === undefined || shortWindowMs === undefined) {
    return undefined;
  }
  return { name, severity, threshold, shortWindowMs, longWindowMs };
}

/**
 * A window from a shorthand: one slowatch keeps; for alertAfter (not
 * required) absent or `0m` gives 0. Undefined after reporting.
 */
function keptWindow(field: OpenSloField, required: boolean): number | undefined {
  if (field.isAbsent && !required) return 0;
  const text = field.string(SHORTHAND_RULE, true);
  if (text === undefined) return undefined;
  const parsed = parseDurationShorthand(text, !required);
  if (!parsed.ok) return field.fail(`must be ${SHORTHAND_RULE}, got ${JSON.stringify(text)}: ${parsed.reason}`);
  const ms = shorthandMs(parsed.value);
  if (ms === 0) return 0;
  if (ms === undefined || !SLO_WINDOWS.some((w) => w.ms === ms)) return field.fail(`must be one of the windows slowatch keeps: ${KEPT_WINDOWS}, got ${JSON.stringify(text)}`);
  return ms;
}

/** The conditions one AlertPolicy `spec` contributes; undefined after reporting. */
export function mapAlertPolicySpec(spec: OpenSloField, conditions: Lookup<BurnRateCondition>): readonly BurnRateCondition[] | undefined {
  if (spec.mapping('a mapping with conditions', true) === undefined) return undefined;
  let ok = true;
  const breaching = spec.get('alertWhenBreaching');
  if (breaching.boolean() === false) ok = breaching.fail('slowatch alerts when a condition breaches; a policy with alertWhenBreaching: false never fires, got false') ?? false;
  const noData = spec.get('alertWhenNoData');
  if (noData.boolean() === true) ok = noData.fail('slowatch does not alert on missing data (no spans means no burn), got true') ?? false;
  spec.get('alertWhenResolved').boolean();

  const items = spec.get('conditions').items('a list of conditions (conditionRef or an inline AlertCondition)', true);
  if (items === undefined) return undefined;
  if (items.length === 0) return spec.get('conditions').fail('must list at least one condition');
  const mapped: BurnRateCondition[] = [];
  for (const item of items) {
    const condition = mapConditionItem(item, conditions);
    if (condition === undefined) ok = false;
    else mapped.push(condition);
  }
  return ok ? mapped : undefined;
}

function mapConditionItem(item: OpenSloField, conditions: Lookup<BurnRateCondition>): BurnRateCondition | undefined {
  if (item.mapping('conditionRef: <name>, or an inline AlertCondition (kind, metadata, spec)', true) === undefined) return undefined;
  const refField = item.get('conditionRef');
  if (!refField.isAbsent) {
    const ref = refField.string('the name of an AlertCondition');
    if (ref === undefined) return undefined;
    const found = conditions(ref);
    if (!found.found) return refField.fail(`no AlertCondition named ${JSON.stringify(ref)} in the OpenSLO files (AlertConditions: ${found.known.length > 0 ? found.known.join(', ') : 'none'})`);
    return found.value; // undefined: reported at the AlertCondition
  }
  const kindField = item.get('kind');
  if (!kindField.isAbsent && kindField.value !== 'AlertCondition') return kindField.failExpecting('AlertCondition (an inline condition) or conditionRef');
  const name = item.get('metadata').get('name').string('a non-empty string', true);
  const condition = mapAlertConditionSpec(item.get('spec'), name ?? '');
  return name === undefined ? undefined : condition;
}

/** The period length a burn-rate threshold is converted with: the rolling length, or 30d / 7d for calendar months / weeks. */
export function nominalPeriodMs(period: PeriodSpec): number {
  if (period.kind === 'rolling') return period.durationMs;
  return period.unit === 'month' ? 30 * DAY_MS : 7 * DAY_MS;
}

/**
 * Conditions → alert windows for a period. `errorBudgetPercent` inverts
 * Sloth's factor formula (see burnRateFactor in src/slo/alert-windows.ts),
 * rounded to 12 significant digits so that 14.4 over 1h in 30d gives exactly
 * 2 (%) and the factor computed back is 14.4.
 * @returns the windows, or the first condition that cannot fit with why.
 */
export function toAlertWindows(
  conditions: readonly BurnRateCondition[],
  period: PeriodSpec,
): { readonly ok: true; readonly windows: readonly AlertWindow[] } | { readonly ok: false; readonly condition: BurnRateCondition; readonly reason: string } {
  const periodMs = nominalPeriodMs(period);
  const drafts: Omit<AlertWindow, 'speed'>[] = [];
  for (const condition of conditions) {
    const errorBudgetPercent = Number((((condition.threshold * condition.longWindowMs) / periodMs) * 100).toPrecision(12));
    if (errorBudgetPercent > 100) {
      const most = Number(((periodMs / condition.longWindowMs)).toPrecision(12));
      return {
        ok: false,
        condition,
        reason: `a burn rate of ${condition.threshold} over ${formatDuration(condition.longWindowMs)} spends ${errorBudgetPercent}% of a ${formatDuration(periodMs)} budget before it fires; the threshold must be at most ${most}`,
      };
    }
    drafts.push({ severity: condition.severity, shortWindowMs: condition.shortWindowMs, longWindowMs: condition.longWindowMs, errorBudgetPercent });
  }
  // As for `alerting.windows` in processors.slo: within each severity the rule with the shortest long window is the quick one.
  const quickest = new Map<Severity, number>();
  for (const w of drafts) quickest.set(w.severity, Math.min(quickest.get(w.severity) ?? Infinity, w.longWindowMs));
  const seenQuick = new Set<Severity>();
  const windows = drafts.map((w): AlertWindow => {
    const quick = w.longWindowMs === quickest.get(w.severity) && !seenQuick.has(w.severity);
    if (quick) seenQuick.add(w.severity);
    return { ...w, speed: quick ? 'quick' : 'slow' };
  });
  return { ok: true, windows };
}
