import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveSloProcessorSettings } from '../../processors/slo/config';
import type { ObjectiveConfig } from '../../processors/slo/config';
import { loadConfig } from '../../src/config/load-config';
import { generateRuleGroups } from '../../src/rules/generate-slo-rules';
import { objectiveToRuleSlo, renderConfigRules } from '../../src/rules/objective-rules';
import { parseOpensloV1alpha } from '../../src/rules/openslo-v1alpha';
import { renderRuleFile } from '../../src/rules/render-rule-file';
import { parseSlothAlertWindows } from '../../src/rules/sloth-alert-windows';
import { parseSlothSpec } from '../../src/rules/sloth-spec';
import { DAY_MS } from '../../src/slo/durations';

/*
 * promtool (Debian's `prometheus` package) checks the generated rules and
 * runs unit tests on them: synthetic `slowatch_slo_events_total` series from
 * two instances, the rules evaluated minute by minute, alerts asserted at
 * given times. CI (CI=true) always runs them.
 */
const REPO_ROOT = path.resolve(__dirname, '../..');
const SLOTH = path.resolve(REPO_ROOT, '..', 'shared', 'anchors', 'sloth');
const slothPresent = existsSync(path.join(SLOTH, 'MANIFEST.md'));
const promtool = spawnSync('promtool', ['--version']).status === 0 || process.env.CI === 'true';
if (!promtool) console.warn("promtool not found: skipping the promtool rule checks and unit tests (CI installs Debian's prometheus package)");
if (promtool && !slothPresent) console.warn(`${SLOTH} not found: skipping promtool check rules on the Sloth fixtures`);

const work = mkdtempSync(path.join(tmpdir(), 'slowatch-rules-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function promtoolRun(args: string[]) {
  const result = spawnSync('promtool', args, { cwd: work, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function writeWork(name: string, text: string): string {
  const file = path.join(work, name);
  writeFileSync(file, text);
  return file;
}

function objectiveRules(objective: ObjectiveConfig): string {
  const [spec] = resolveSloProcessorSettings({ objectives: [objective] }).objectives;
  if (spec === undefined) throw new Error('no objective');
  return renderRuleFile(generateRuleGroups([objectiveToRuleSlo(spec)]));
}

/** `a+bxn` segments: `values` per step from `from` (inclusive) for `steps` steps, continuing a counter. */
function counter(segments: readonly (readonly [perStep: number, steps: number])[]): string {
  let value = 0;
  const parts: string[] = [];
  segments.forEach(([perStep, steps], index) => {
    // The first segment starts at 0 (its first sample); later ones continue from the last value.
    const start = index === 0 ? 0 : value + perStep;
    const repeats = index === 0 ? steps : steps - 1;
    parts.push(`${start}+${perStep}x${repeats}`);
    value = start + perStep * repeats;
  });
  return parts.join(' ');
}

function eventSeries(labels: Record<string, string>, good: readonly (readonly [number, number])[], bad: readonly (readonly [number, number])[]) {
  const selector = (outcome: string, instance: string): string =>
    `slowatch_slo_events_total{${Object.entries({ ...labels, outcome, instance, job: 'slowatch' })
      .map(([k, v]) => `${k}="${v}"`)
      .join(',')}}`;
  // Two gateways share the traffic equally: the rules must sum them.
  return ['gw-a:9464', 'gw-b:9464'].flatMap((instance) => [
    { series: selector('good', instance), values: counter(good) },
    { series: selector('bad', instance), values: counter(bad) },
  ]);
}

function annotations(severity: string, service: string, slo: string) {
  return {
    title: `(${severity}) ${service} ${slo} SLO error budget burn rate is too fast.`,
    summary: `${service} ${slo} SLO error budget burn rate is over expected.`,
  };
}

describe.runIf(promtool)('promtool check rules', () => {
  it('is clean on the rules of the default configuration', () => {
    const { yaml } = renderConfigRules(loadConfig({ configPath: path.join(REPO_ROOT, 'otel-config.yaml'), env: {} }).config);
    const result = promtoolRun(['check', 'rules', writeWork('default-config.rules.yaml', yaml)]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('SUCCESS: 34 rules found');
    expect(result.status).toBe(0);
  });

  it('is clean on objectives with a fixed service, group_by, a calendar period and custom windows', () => {
    const yaml = objectiveRules({
      name: 'checkout-latency',
      service: 'checkout',
      sli: { latency: { threshold: '300ms' } },
      objective: 99,
      window: { calendar: 'week' },
      group_by: ['http.route'],
      alerting: { page: false, windows: [{ severity: 'ticket', short_window: '30m', long_window: '6h', error_budget_percent: 10 }] },
    });
    expect(yaml).toContain('by (service, http_route)');
    const result = promtoolRun(['check', 'rules', writeWork('fixed.rules.yaml', yaml)]);
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });

  it.runIf(slothPresent)('is clean on the rules generated for every Sloth fixture', () => {
    const read = (...parts: string[]) => readFileSync(path.join(SLOTH, ...parts), 'utf8');
    const slos = [
      ...parseSlothSpec(read('01-getting-started', 'input.yml')),
      ...parseSlothSpec(read('02-base-30d', 'input.yaml'), { periodMs: 28 * DAY_MS }),
      ...parseSlothSpec(read('04-base-custom-7d', 'input.yaml'), { periodMs: 7 * DAY_MS, alertWindows: [parseSlothAlertWindows(read('04-base-custom-7d', 'windows-7d.yaml'))] }).map(
        (slo) => ({ ...slo, name: `${slo.name}-7d` }),
      ),
      ...parseOpensloV1alpha(read('05-openslo-v1alpha', 'input.yaml')),
      ...parseSlothSpec(read('06-raw-sli', 'input.yml')),
    ];
    const result = promtoolRun(['check', 'rules', writeWork('sloth.rules.yaml', renderRuleFile(generateRuleGroups(slos)))]);
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });
});

describe.runIf(promtool)('promtool test rules: burn-rate alerts on slowatch_slo_events_total (30d, 99.9 %)', () => {
  /*
   * The comparisons are strict (`>`), as in Sloth: a burn of exactly 14.4×
   * (or 1×) sits on the threshold of its long window and never fires. The
   * scenarios burn 25 % above the thresholds, so the expected time to fire
   * from a clean history is long window × threshold / burn:
   *   page  (5m and 1h above 14.4×) at 18×:   1h × 14.4 / 18  = 48 min
   *   ticket (6h and 3d above 1×)   at 1.25×: 3d × 1 / 1.25  = 57.6 h
   * and the assertions bracket those times.
   */
  it('an 18× burn (25 % over the 14.4× page threshold) pages after about 48 minutes, not before 45', () => {
    // The default `availability` objective: no fixed service, so sloth_service comes from the series.
    const rules = writeWork('page.rules.yaml', objectiveRules({ name: 'availability', sli: { availability: {} }, objective: 99.9 }));
    const labels = { slo: 'availability', service: 'checkout' };
    // 1 000 events a minute over both instances; 6h clean, then 1.8 % errors (18 × the 0.1 % budget).
    const series = eventSeries(labels, [[500, 360], [491, 60]], [[0, 360], [9, 60]]);
    const alertLabels = (severity: 'page' | 'ticket') => ({
      service: 'checkout',
      // As the inline alerts of the alertmanager exporter: one Alertmanager route serves both.
      severity: severity === 'page' ? 'critical' : 'warning',
      slo: 'availability',
      sloth_id: 'checkout-availability',
      sloth_service: 'checkout',
      sloth_slo: 'availability',
      sloth_severity: severity,
    });
    const ticket = { exp_labels: alertLabels('ticket'), exp_annotations: annotations('ticket', 'checkout', 'availability') };
    const page = { exp_labels: alertLabels('page'), exp_annotations: annotations('page', 'checkout', 'availability') };
    const tests = {
      rule_files: [rules],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: series,
          alert_rule_test: [
            { eval_time: '359m', alertname: 'SloErrorBudgetBurn', exp_alerts: [] },
            // 45 min into the burn: the ticket (6h and 3d above 1×) fires, the page not yet.
            { eval_time: '405m', alertname: 'SloErrorBudgetBurn', exp_alerts: [ticket] },
            { eval_time: '410m', alertname: 'SloErrorBudgetBurn', exp_alerts: [page, ticket] },
          ],
          promql_expr_test: [
            {
              // Both instances summed: 18 bad of 1 000 a minute.
              expr: 'round(slo:sli_error:ratio_rate5m, 0.000001)',
              eval_time: '410m',
              exp_samples: [{ labels: '{service="checkout",sloth_id="checkout-availability",sloth_service="checkout",sloth_slo="availability",sloth_window="5m"}', value: 0.018 }],
            },
            {
              // As in Sloth, the current burn rate keeps the 5m ratio's sloth_window label.
              expr: 'round(slo:current_burn_rate:ratio, 0.001)',
              eval_time: '410m',
              exp_samples: [{ labels: '{service="checkout",sloth_id="checkout-availability",sloth_service="checkout",sloth_slo="availability",sloth_window="5m"}', value: 18 }],
            },
          ],
        },
      ],
    };
    const result = promtoolRun(['test', 'rules', writeWork('page.test.yaml', stringify(tests))]);
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  it('a 1.25× burn (25 % over the 1× ticket threshold) opens a ticket after about 57.6 hours and never pages', () => {
    const rules = writeWork('ticket.rules.yaml', objectiveRules({ name: 'availability', service: 'checkout', sli: { availability: {} }, objective: 99.9 }));
    const labels = { slo: 'availability', service: 'checkout' };
    // 2m steps, 2 000 events a step over both instances; 18h clean, then 0.125 % errors for 60h. 18h is
    // enough history: at 57.6h of burn the 3d window holds 14.4h of clean traffic, so more would not change when it fires.
    const series = eventSeries(labels, [[1000, 540], [998.75, 1800]], [[0, 540], [1.25, 1800]]);
    const ticket = {
      exp_labels: { service: 'checkout', severity: 'warning', slo: 'availability', sloth_id: 'checkout-availability', sloth_service: 'checkout', sloth_slo: 'availability', sloth_severity: 'ticket' },
      exp_annotations: annotations('ticket', 'checkout', 'availability'),
    };
    const start = 18 * 60; // minutes of clean history
    const tests = {
      rule_files: [rules],
      evaluation_interval: '2m',
      tests: [
        {
          interval: '2m',
          input_series: series,
          alert_rule_test: [
            { eval_time: `${start + 55 * 60}m`, alertname: 'SloErrorBudgetBurn', exp_alerts: [] },
            { eval_time: `${start + 60 * 60}m`, alertname: 'SloErrorBudgetBurn', exp_alerts: [ticket] },
          ],
        },
      ],
    };
    const result = promtoolRun(['test', 'rules', writeWork('ticket.test.yaml', stringify(tests))]);
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.status).toBe(0);
  }, 60_000);
});
