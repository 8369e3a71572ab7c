import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ANOMALY_METRIC_NAMES, BASELINE_METRIC_NAMES } from '../../exporters/prometheus/baseline-metrics';
import { RECOMMENDATION_METRIC_NAMES } from '../../exporters/prometheus/recommendation-metrics';
import { REGRESSION_METRIC_NAMES } from '../../exporters/prometheus/regression-metrics';
import { SLO_METRIC_NAMES } from '../../exporters/prometheus/slo-metrics';
import { buildDashboards } from '../../src/dashboards/build-dashboards';
import { GRAFANA_BUILTIN_VARIABLES, UnresolvedVariableError, dashboardQueries, panelsOf, substituteVariables } from '../../src/dashboards/dashboard-queries';
import { bracketProblem, metricNamesIn } from './promql-shape';

/** Sloth's recording rules (what `slowatch rules` generates) and Prometheus' alert series. */
const SLOTH_SERIES = [
  ...['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d'].map((w) => `slo:sli_error:ratio_rate${w}`),
  'slo:objective:ratio',
  'slo:error_budget:ratio',
  'slo:time_period:days',
  'slo:current_burn_rate:ratio',
  'slo:period_burn_rate:ratio',
  'slo:period_error_budget_remaining:ratio',
  'sloth_slo_info',
  'ALERTS',
];

/** Every series the dashboards may select: Sloth's, and what slowatch's Prometheus exporter publishes. */
const KNOWN_SERIES = new Set<string>([
  ...SLOTH_SERIES,
  ...Object.values(SLO_METRIC_NAMES),
  ...Object.values(BASELINE_METRIC_NAMES),
  ...Object.values(ANOMALY_METRIC_NAMES),
  ...Object.values(REGRESSION_METRIC_NAMES),
  ...Object.values(RECOMMENDATION_METRIC_NAMES),
]);

/** A concrete value for every dashboard variable, as the end-to-end test would pass. */
const VARIABLES = { sloth_service: 'shop', sloth_slo: 'availability', service: 'shop', operation: '.*' };

describe('substituteVariables', () => {
  it('replaces $name and ${name} (with a format) from the map, then Grafana built-ins', () => {
    expect(substituteVariables('rate(x{service="$service"}[$__rate_interval])', { service: 'shop' })).toBe('rate(x{service="shop"}[1m])');
    expect(substituteVariables('x{a="${service}", b="${service:regex}"}[${__range}]', { service: 's' })).toBe('x{a="s", b="s"}[1h]');
    expect(substituteVariables('rate(x[$__rate_interval])', { __rate_interval: '5m' })).toBe('rate(x[5m])');
    expect(GRAFANA_BUILTIN_VARIABLES.__range).toBe('1h');
  });

  it('names a variable it has no value for', () => {
    expect(() => substituteVariables('x{s="$sloth_slo"}', {})).toThrow(UnresolvedVariableError);
    expect(() => substituteVariables('x{s="$sloth_slo"}', {})).toThrow(/\$sloth_slo/);
  });
});

describe('dashboardQueries', () => {
  const raw = dashboardQueries();
  const substituted = dashboardQueries(VARIABLES);

  it('lists every target of every panel of every dashboard', () => {
    const targets = buildDashboards().flatMap(({ dashboard }) => panelsOf(dashboard).flatMap((p) => p.targets ?? []));
    expect(raw).toHaveLength(targets.length);
    expect(new Set(raw.map((q) => q.dashboard))).toEqual(new Set(buildDashboards().map((d) => d.uid)));
    const keys = raw.map((q) => `${q.dashboard}/${q.panel}/${q.refId}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(raw.length).toBeGreaterThan(50);
  });

  it('substitutes every variable, leaving no $ behind', () => {
    expect(substituted).toHaveLength(raw.length);
    for (const q of substituted) expect(q.expr, `${q.dashboard} / ${q.panel}`).not.toContain('$');
    expect(substituted.find((q) => q.panel === 'Objective')?.expr).toBe('max(slo:objective:ratio{sloth_service="shop", sloth_slo="availability"})');
    expect(() => dashboardQueries({ service: 'shop' })).toThrow(/slowatch-slo-detail \/ .*\$sloth_s/);
  });

  it('marks as mayBeEmpty only the panels that say what empty means', () => {
    const empty = new Set(raw.filter((q) => q.mayBeEmpty).map((q) => q.panel));
    expect(empty).toEqual(new Set(['Recommendations', 'Open recommendations by type', 'Deploy verdicts', 'Latest verdict per operation']));
  });

  it('writes balanced PromQL that selects only known series', () => {
    for (const q of substituted) {
      const where = `${q.dashboard} / ${q.panel} / ${q.refId}: ${q.expr}`;
      expect(bracketProblem(q.expr), where).toBeUndefined();
      const names = metricNamesIn(q.expr);
      expect(names.length, where).toBeGreaterThan(0);
      for (const name of names) expect(KNOWN_SERIES.has(name), `${where}: unknown series ${name}`).toBe(true);
    }
  });

  it('catches what the structural check is for', () => {
    expect(bracketProblem('sum(rate(x{a="b"}[5m])')).toMatch(/unclosed/);
    expect(bracketProblem('x{a="}"}')).toBeUndefined();
    expect(metricNamesIn('sum by (slo) (rate(slowatch_slo_events_total{service="a"}[1m])) / on (id) group_left (severity) foo_bar')).toEqual([
      'slowatch_slo_events_total',
      'foo_bar',
    ]);
  });

  // promtool has no expression checker in Debian's 2.42, but `check rules` parses every expr of a rule file.
  const promtool = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0 || process.env.CI === 'true';
  if (!promtool) console.warn('promtool not found: skipping the PromQL parse of the dashboard queries (CI installs Debian\'s prometheus package)');
  it.runIf(promtool)('parses every query under promtool check rules', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'slowatch-dashboards-'));
    try {
      const file = path.join(dir, 'dashboard-queries.yaml');
      const rules = substituted.map((q, i) => ({ record: `slowatch_dashboard_query:${i}`, expr: q.expr }));
      writeFileSync(file, stringify({ groups: [{ name: 'dashboard-queries', rules }] }));
      const result = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
      expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
      expect(result.stdout).toContain(`${rules.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
