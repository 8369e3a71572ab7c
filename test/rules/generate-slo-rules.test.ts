import { describe, expect, it } from 'vitest';
import { generateRuleGroups, generateSloRuleGroups, promqlString, renderWindowTemplate, sliWindowsMs } from '../../src/rules/generate-slo-rules';
import { renderRuleFile } from '../../src/rules/render-rule-file';
import type { RecordingRule, RuleSlo } from '../../src/rules/rule-model';
import { RulesInputError } from '../../src/rules/rules-input-error';
import { googleAlertWindows } from '../../src/slo/alert-windows';
import { DAY_MS } from '../../src/slo/durations';

const BASE: RuleSlo = {
  name: 'avail',
  service: { kind: 'fixed', name: 'shop' },
  objectivePercent: 99.9,
  labels: { team: 'core', sloth_id: 'ignored' },
  sli: { kind: 'raw', errorRatioQuery: 'err[{{ .window }}]' },
  periodMs: 30 * DAY_MS,
  periodSli: 'average',
  windows: googleAlertWindows(),
  origin: { mode: 'm', spec: 's' },
};

const recordings = (slo: RuleSlo, options = {}) => generateSloRuleGroups(slo, options).flatMap((g) => g.rules).filter((r): r is RecordingRule => 'record' in r);

describe('generateSloRuleGroups', () => {
  it('records the alert windows shortest first and then the period; sloth labels win over SLO labels, which win over extra labels', () => {
    const rules = recordings(BASE, { extraLabels: { team: 'extra', cmd: 'x' } });
    expect(rules.slice(0, 8).map((r) => r.record)).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d'].map((w) => `slo:sli_error:ratio_rate${w}`));
    expect(rules[0]?.labels).toEqual({ cmd: 'x', team: 'core', sloth_id: 'shop-avail', sloth_service: 'shop', sloth_slo: 'avail', sloth_window: '5m' });
    expect(rules[0]?.expr).toBe('(err[5m])');
    expect(sliWindowsMs(googleAlertWindows())).toHaveLength(7);
  });

  it('evaluates the SLI over the whole period in direct mode, and records a period equal to a window once', () => {
    expect(recordings({ ...BASE, periodSli: 'direct' })[7]?.expr).toBe('(err[30d])');
    const threeDays = recordings({ ...BASE, periodMs: 3 * DAY_MS }).filter((r) => r.record.startsWith('slo:sli_error'));
    expect(threeDays.map((r) => r.labels.sloth_window)).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d']);
  });

  it('copies a service taken from a label into sloth_service and sloth_id, and keeps the meta rules per service', () => {
    const rules = recordings({ ...BASE, service: { kind: 'label', label: 'service' } });
    expect(rules[0]?.labels).toEqual({ team: 'core', sloth_slo: 'avail', sloth_window: '5m' });
    expect(rules[0]?.expr).toBe('label_replace(label_replace(\n(err[5m])\n, "sloth_service", "$1", "service", "(.*)"), "sloth_id", "$1-avail", "service", "(.*)")\n');
    const objective = rules.find((r) => r.record === 'slo:objective:ratio');
    expect(objective?.expr).toBe('0 * count by (sloth_id, sloth_service, sloth_slo) (slo:sli_error:ratio_rate30d{sloth_slo="avail"}) + (0.9990000000000001)');
  });

  it('has no alert group when both alerts are disabled, and one rule when one is', () => {
    expect(generateSloRuleGroups(BASE).map((g) => g.name)).toEqual(['sloth-slo-sli-recordings-shop-avail', 'sloth-slo-meta-recordings-shop-avail']);
    const pageOnly = generateSloRuleGroups({ ...BASE, alerting: { name: 'A', labels: { a: '1' }, annotations: { summary: 's' }, page: { labels: { a: '2' }, annotations: {} } } });
    expect(pageOnly[2]?.rules).toEqual([
      expect.objectContaining({
        alert: 'A',
        labels: { a: '2', sloth_severity: 'page' },
        annotations: { summary: 's', title: '(page) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast.' },
      }),
    ]);
  });

  it('refuses two SLOs with one id', () => {
    expect(() => generateRuleGroups([BASE, BASE])).toThrow(RulesInputError);
  });

  it('escapes PromQL strings and fills {{.window}} with or without spaces', () => {
    expect(promqlString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(renderWindowTemplate('x[{{.window}}] y[{{ .window }}]', '5m')).toBe('x[5m] y[5m]');
  });
});

describe('renderRuleFile', () => {
  it('writes sorted labels, literal blocks and the header, the same bytes every time', () => {
    const yaml = renderRuleFile(generateSloRuleGroups(BASE), { header: ['generated'] });
    expect(yaml.startsWith('# generated\n\ngroups:\n- name: sloth-slo-sli-recordings-shop-avail\n  rules:\n  - record: slo:sli_error:ratio_rate5m\n')).toBe(true);
    expect(yaml).toContain('    labels:\n      sloth_id: shop-avail\n      sloth_service: shop\n      sloth_slo: avail\n      sloth_window: 5m\n      team: core\n');
    expect(renderRuleFile(generateSloRuleGroups(BASE), { header: ['generated'] })).toBe(yaml);
  });
});
