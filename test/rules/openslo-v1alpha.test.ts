import { describe, expect, it } from 'vitest';
import { isOpensloV1alpha, parseOpensloV1alpha } from '../../src/rules/openslo-v1alpha';
import { DAY_MS } from '../../src/slo/durations';

const SLO = `
apiVersion: openslo/v1alpha
kind: SLO
metadata: { name: slo1 }
spec:
  service: svc01
  budgetingMethod: Occurrences
  objectives:
    - ratioMetrics:
        good: { source: prometheus, queryType: promql, query: 'sum(rate(good[{{.window}}]))' }
        total: { source: prometheus, queryType: promql, query: 'sum(rate(all[{{.window}}]))' }
      target: 0.999
  timeWindows: [{ count: 4, unit: Week }]
`;

describe('OpenSLO v1alpha, as Sloth converts it', () => {
  it('turns each ratio objective into an SLO <name>-<index> with error ratio 1 - good/total and no alerts', () => {
    expect(isOpensloV1alpha(SLO)).toBe(true);
    const [slo] = parseOpensloV1alpha(SLO);
    expect(slo).toMatchObject({ name: 'slo1-0', service: { kind: 'fixed', name: 'svc01' }, objectivePercent: 99.9, periodMs: 28 * DAY_MS, origin: { mode: 'cli-gen-openslo', spec: 'openslo/v1alpha' } });
    expect(slo?.alerting).toBeUndefined();
    expect(slo?.sli.kind === 'raw' && slo.sli.errorRatioQuery.replace(/\s+/g, ' ').trim()).toBe('1 - ( ( sum(rate(good[{{.window}}])) ) / ( sum(rate(all[{{.window}}])) ) )');
  });

  it('refuses what it cannot convert, naming the field', () => {
    const calendar = SLO.replace('budgetingMethod: Occurrences', 'budgetingMethod: Timeslices').replace('unit: Week', 'unit: Month');
    expect(() => parseOpensloV1alpha(calendar, { file: 'o.yaml' })).toThrow(
      ['o.yaml: spec.budgetingMethod: only Occurrences can be converted to Prometheus rules, got "Timeslices"', 'o.yaml: spec.timeWindows[0].unit: must be Day or Week, got "Month"'].join('\n'),
    );
    expect(() => parseOpensloV1alpha(SLO.replace(/ratioMetrics:[\s\S]*?target/, 'target'))).toThrow('spec.objectives[0].ratioMetrics: required: only ratio metrics can be converted');
  });
});
