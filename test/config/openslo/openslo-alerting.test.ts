import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { nominalPeriodMs, toAlertWindows } from '../../../src/config/openslo/openslo-alerting';
import { burnRateFactor } from '../../../src/slo/alert-windows';
import type { PeriodSpec } from '../../../src/slo/objective';
import { mapOpenSloText } from './map-openslo-text';

/*
 * AlertPolicy / AlertCondition → multiwindow burn-rate rules
 * (docs/openslo.md, "Alerting"): windows, factors, severities, and the
 * documented refusals.
 */

type Doc = Record<string, unknown>;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const condition = (name: string, spec: Doc): Doc => ({ apiVersion: 'openslo/v1', kind: 'AlertCondition', metadata: { name }, spec });
const policy = (name: string, spec: Doc): Doc => ({ apiVersion: 'openslo/v1', kind: 'AlertPolicy', metadata: { name }, spec: { alertWhenBreaching: true, ...spec } });
const burn = (threshold: number, lookbackWindow: string, alertAfter?: string, extra: Doc = {}): Doc => ({
  kind: 'burnrate',
  threshold,
  lookbackWindow,
  ...(alertAfter !== undefined && { alertAfter }),
  ...extra,
});
function slo(alertPolicies: unknown[], duration = '30d'): Doc {
  return {
    apiVersion: 'openslo/v1',
    kind: 'SLO',
    metadata: { name: 'api' },
    spec: {
      service: 'api',
      indicator: { metadata: { name: 'e' }, spec: { ratioMetric: { good: { metricSource: { type: 'slowatch' } }, total: { metricSource: { type: 'slowatch' } } } } },
      timeWindow: [{ duration, isRolling: true }],
      budgetingMethod: 'Occurrences',
      objectives: [{ target: 0.999 }],
      alertPolicies,
    },
  };
}
function run(...docs: Doc[]) {
  const { objectives, issues } = mapOpenSloText(docs.map((d) => stringify(d)).join('---\n'));
  return { alerting: objectives[0]?.alerting, issues: issues.map((issue) => issue.replace(/ \(slos\.yaml:\d+\)$/, '')) };
}

describe('OpenSLO alerting → burn-rate rules', () => {
  it('maps Google\'s four rules written as OpenSLO conditions back to exactly Google\'s windows', () => {
    const { alerting, issues } = run(
      condition('page-fast', { severity: 'page', condition: burn(14.4, '1h', '5m', { op: 'gt' }) }),
      condition('page-slow', { severity: 'page', condition: burn(6, '6h', '30m') }),
      condition('ticket-fast', { severity: 'ticket', condition: burn(3, '1d') }),
      condition('ticket-slow', { severity: 'ticket', condition: burn(1, '3d', '6h', { op: 'gte' }) }),
      ...['page-fast', 'page-slow', 'ticket-fast', 'ticket-slow'].map((c) => policy(`p-${c}`, { conditions: [{ conditionRef: c }] })),
      slo(['page-fast', 'page-slow', 'ticket-fast', 'ticket-slow'].map((c) => ({ alertPolicyRef: `p-${c}` }))),
    );
    expect(issues).toEqual([]);
    expect(alerting).toEqual({
      page: true,
      ticket: true,
      windows: [
        { severity: 'page', speed: 'quick', shortWindowMs: 5 * 60_000, longWindowMs: HOUR, errorBudgetPercent: 2 },
        { severity: 'page', speed: 'slow', shortWindowMs: 30 * 60_000, longWindowMs: 6 * HOUR, errorBudgetPercent: 5 },
        { severity: 'ticket', speed: 'quick', shortWindowMs: 2 * HOUR, longWindowMs: DAY, errorBudgetPercent: 10 },
        { severity: 'ticket', speed: 'slow', shortWindowMs: 6 * HOUR, longWindowMs: 3 * DAY, errorBudgetPercent: 10 },
      ],
    });
  });

  it('only page conditions: ticket alerts are off', () => {
    const { alerting } = run(slo([{ kind: 'AlertPolicy', metadata: { name: 'p' }, spec: { conditions: [{ kind: 'AlertCondition', metadata: { name: 'c' }, spec: { severity: 'Critical', condition: burn(10, '2h', '5m') } }] } }]));
    expect(alerting).toEqual({ page: true, ticket: false, windows: [{ severity: 'page', speed: 'quick', shortWindowMs: 5 * 60_000, longWindowMs: 2 * HOUR, errorBudgetPercent: 2.77777777778 }] });
  });

  it('the factor the engine computes is the threshold, for any threshold and window, rolling or calendar', () => {
    const periods: PeriodSpec[] = [
      { kind: 'rolling', durationMs: 30 * DAY },
      { kind: 'rolling', durationMs: 28 * DAY },
      { kind: 'rolling', durationMs: 7 * DAY },
      { kind: 'calendar', unit: 'month', timeZone: 'UTC' },
      { kind: 'calendar', unit: 'week', timeZone: 'UTC' },
    ];
    for (const period of periods) {
      for (const threshold of [0.5, 1, 2, 3, 6, 13.44, 14.4]) {
        for (const longWindowMs of [HOUR, 6 * HOUR, DAY]) {
          const converted = toAlertWindows([{ name: 'c', severity: 'page', threshold, shortWindowMs: 5 * 60_000, longWindowMs }], period);
          if (!converted.ok) {
            expect(threshold * longWindowMs).toBeGreaterThan(nominalPeriodMs(period));
            continue;
          }
          const factor = burnRateFactor(converted.windows[0]!, nominalPeriodMs(period));
          expect(Math.abs(factor - threshold) / threshold).toBeLessThan(1e-10);
        }
      }
    }
  });

  it.each([
    [condition('c', { severity: 'page', condition: burn(2, '1h', '5m', { op: 'lte' }) }), ['document 0 (AlertCondition "c") spec.condition.op: slowatch alerts when the burn rate rises above the threshold: must be gt or gte, got "lte"']],
    [condition('c', { severity: 'sev1', condition: burn(2, '1h') }), ['document 0 (AlertCondition "c") spec.severity: slowatch alerts are page or ticket: must be page or critical (page), ticket or warning (ticket), got "sev1"']],
    [condition('c', { severity: 'page', condition: burn(2, '45m') }), ['document 0 (AlertCondition "c") spec.condition.lookbackWindow: must be one of the windows slowatch keeps: 5m, 30m, 1h, 2h, 6h, 1d, 3d, got "45m"']],
    [condition('c', { severity: 'page', condition: burn(2, '30m') }), ['document 0 (AlertCondition "c") spec.condition.lookbackWindow: without alertAfter the short window is lookbackWindow / 12 (SRE Workbook), and 2m30s is not a window slowatch keeps; set alertAfter to one of 5m, 30m, 1h, 2h, 6h, 1d, 3d shorter than lookbackWindow']],
    [condition('c', { severity: 'page', condition: burn(2, '1h', '1h') }), ['document 0 (AlertCondition "c") spec.condition.alertAfter: must be shorter than lookbackWindow (the short window of a multiwindow rule), got "1h"']],
    [condition('c', { severity: 'page', condition: { kind: 'threshold', threshold: 2, lookbackWindow: '1h' } }), ['document 0 (AlertCondition "c") spec.condition.kind: slowatch alerts on burn rates only: must be burnrate, got "threshold"']],
    [condition('c', { severity: 'page', condition: burn(0, '1h') }), ['document 0 (AlertCondition "c") spec.condition.threshold: must be a burn rate > 0, got 0']],
    [policy('p', { alertWhenNoData: true, conditions: [{ conditionRef: 'x' }] }), [
      'document 0 (AlertPolicy "p") spec.alertWhenNoData: slowatch does not alert on missing data (no spans means no burn), got true',
      'document 0 (AlertPolicy "p") spec.conditions[0].conditionRef: no AlertCondition named "x" in the OpenSLO files (AlertConditions: none)',
    ]],
    [policy('p', { alertWhenBreaching: false, conditions: [] }), [
      'document 0 (AlertPolicy "p") spec.alertWhenBreaching: slowatch alerts when a condition breaches; a policy with alertWhenBreaching: false never fires, got false',
      'document 0 (AlertPolicy "p") spec.conditions: must list at least one condition',
    ]],
  ])('refuses %j', (doc, expected) => {
    expect(run(doc).issues).toEqual(expected);
  });

  it('refuses a threshold that spends more than the whole budget, at the SLO that uses it', () => {
    expect(run(condition('c', { severity: 'ticket', condition: burn(200, '1d', '30m') }), policy('p', { conditions: [{ conditionRef: 'c' }] }), slo([{ alertPolicyRef: 'p' }])).issues).toEqual([
      'document 2 (SLO "api") spec.alertPolicies[0]: AlertCondition "c": a burn rate of 200 over 1d spends 666.666666667% of a 30d budget before it fires; the threshold must be at most 30',
    ]);
  });

  it('a condition used by several SLOs is reported once, at the condition', () => {
    const broken = condition('c', { severity: 'page', condition: burn(2, '7h') });
    const { issues } = run(broken, policy('p', { conditions: [{ conditionRef: 'c' }] }), slo([{ alertPolicyRef: 'p' }]), { ...slo([{ alertPolicyRef: 'p' }]), metadata: { name: 'api2' } });
    expect(issues).toEqual(['document 0 (AlertCondition "c") spec.condition.lookbackWindow: must be one of the windows slowatch keeps: 5m, 30m, 1h, 2h, 6h, 1d, 3d, got "7h"']);
  });
});
