import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { formatConfigIssue } from '../../../src/config/config-issue';
import { loadOpenSloFiles } from '../../../src/config/openslo/openslo-files';
import { burnRateFactor, googleAlertWindows } from '../../../src/slo/alert-windows';
import type { ObjectiveSpec } from '../../../src/slo/objective';
import { mapOpenSloText } from './map-openslo-text';

/*
 * Table-driven over the OpenSLO examples: our own (test/fixtures/openslo/),
 * which load fully or fail with exactly the documented messages, and the
 * shared upstream examples (../shared/anchors/openslo/), which fail as they
 * are with the documented messages and, once their metric sources are
 * rewritten to `type: slowatch` in memory, load or fail only for what
 * slowatch cannot map.
 */

const REPO_ROOT = path.resolve(__dirname, '../../..');
const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/openslo');
const SHARED = path.resolve(REPO_ROOT, '..', 'shared', 'anchors', 'openslo');

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function load(files: readonly string[], baseDir: string): { objectives: readonly ObjectiveSpec[]; issues: string[] } {
  const result = loadOpenSloFiles(files, { baseDir, displayBaseDir: '.' });
  if (result.ok) return { objectives: result.objectives, issues: [] };
  return { objectives: [], issues: [...result.listProblems, ...result.issues.map(formatConfigIssue)] };
}

const GOOGLE = { page: true, ticket: true, windows: googleAlertWindows() };

describe('our OpenSLO examples (test/fixtures/openslo)', () => {
  const LOADS: Readonly<Record<string, readonly ObjectiveSpec[]>> = {
    'checkout-rolling-occurrences.yaml': [
      {
        name: 'checkout-availability',
        service: 'checkout',
        selector: { spanKind: 'server', operations: ['POST /checkout', 'GET /cart*'], attributes: { 'deployment.environment': 'prod' } },
        sli: { kind: 'availability' },
        objective: 0.999,
        period: { kind: 'rolling', durationMs: 28 * DAY },
        budgeting: { kind: 'occurrences' },
        groupBy: [],
        maxSeries: 200,
        alerting: {
          page: true,
          ticket: true,
          windows: [
            { severity: 'page', speed: 'quick', shortWindowMs: 5 * 60_000, longWindowMs: HOUR, errorBudgetPercent: 2 },
            { severity: 'ticket', speed: 'quick', shortWindowMs: 6 * HOUR, longWindowMs: 3 * DAY, errorBudgetPercent: 10 },
          ],
        },
        minEvents: 0,
      },
    ],
    'search-calendar-timeslices.yaml': [
      {
        name: 'search-latency-fast-search',
        service: 'web-shop',
        selector: { spanKind: 'server', operations: ['GET /search'], attributes: {} },
        sli: { kind: 'latency', thresholdMs: 300 },
        objective: 0.95,
        period: { kind: 'calendar', unit: 'month', timeZone: 'Europe/Berlin' },
        budgeting: { kind: 'timeslices', sliceMs: 60_000, target: 0.9 },
        groupBy: [],
        maxSeries: 200,
        alerting: GOOGLE,
        minEvents: 0,
      },
      {
        name: 'search-latency-usable-search',
        service: 'web-shop',
        selector: { spanKind: 'server', operations: ['GET /search'], attributes: {} },
        sli: { kind: 'latency', thresholdMs: 1500 },
        objective: 0.995,
        period: { kind: 'calendar', unit: 'month', timeZone: 'Europe/Berlin' },
        budgeting: { kind: 'timeslices', sliceMs: 5 * 60_000, target: 0.99 },
        groupBy: [],
        maxSeries: 200,
        alerting: GOOGLE,
        minEvents: 0,
      },
    ],
    'list-form-calendar-week.yaml': [
      {
        name: 'payments-errors',
        selector: { operations: [], attributes: {} },
        sli: { kind: 'availability' },
        objective: 0.9995,
        period: { kind: 'calendar', unit: 'week', timeZone: 'UTC' },
        budgeting: { kind: 'occurrences' },
        groupBy: [],
        maxSeries: 200,
        alerting: GOOGLE,
        minEvents: 0,
      },
    ],
  };

  const FAILS: Readonly<Record<string, readonly string[]>> = {
    'ratio-timeslices.yaml': [
      'document 0 (SLO "main-page") spec.budgetingMethod: RatioTimeslices (the mean of the time slices\' good ratios) has no slowatch equivalent; use Timeslices (the share of slices meeting timeSliceTarget) or Occurrences (ratio-timeslices.yaml:20)',
    ],
    'unmappable.yaml': [
      'document 0 (DataSource "prometheus") spec.type: only "slowatch" metrics can be computed from spans, got "Prometheus" (unmappable.yaml:7)',
      'document 1 (SLO "api-latency") spec.indicator.spec.thresholdMetric.metricSource.spec.unit: must be ms or s (the unit of the objectives\' value), got "us" (unmappable.yaml:24)',
      'document 1 (SLO "api-latency") spec.timeWindow[0].duration: a rolling window needs a fixed length, and months, quarters and years vary; write days or weeks (e.g. 30d, 4w), or use a calendar window, got "1Q" (unmappable.yaml:26)',
      'document 1 (SLO "api-latency") spec.objectives[0].op: slowatch\'s latency objectives count a span as good when it takes at most value: must be lt or lte, got "gt" (unmappable.yaml:30)',
      'document 1 (SLO "api-latency") spec.alertPolicies[0].alertPolicyRef: no AlertPolicy named "missing-policy" in the OpenSLO files (AlertPolicies: none) (unmappable.yaml:34)',
    ],
  };

  it('covers every file of the directory', () => {
    const names = ['checkout-rolling-occurrences.yaml', 'search-calendar-timeslices.yaml', 'list-form-calendar-week.yaml', 'ratio-timeslices.yaml', 'unmappable.yaml'];
    expect(Object.keys({ ...LOADS, ...FAILS }).sort()).toEqual(names.sort());
  });

  it.each(Object.entries(LOADS))('%s loads into exactly these objectives', (file, expected) => {
    expect(load([file], FIXTURES)).toEqual({ objectives: expected, issues: [] });
  });

  it.each(Object.entries(FAILS))('%s fails with exactly the documented messages', (file, expected) => {
    expect(load([file], FIXTURES).issues).toEqual(expected);
  });

  it('the burn-rate thresholds come back as the factors the engine computes', () => {
    const [checkout] = load(['checkout-rolling-occurrences.yaml'], FIXTURES).objectives;
    const periodMs = 28 * DAY;
    expect(checkout?.alerting.windows.map((w) => burnRateFactor(w, periodMs))).toEqual([13.44, 0.9333333333333333]);
  });

  it('loads every example that loads at once, in list order, references across files', () => {
    const { objectives, issues } = load(['checkout-*.yaml', 'search-*.yaml', 'list-form-*.yaml'], FIXTURES);
    expect(issues).toEqual([]);
    expect(objectives.map((o) => o.name)).toEqual(['checkout-availability', 'search-latency-fast-search', 'search-latency-usable-search', 'payments-errors']);
  });
});

const sharedPresent = existsSync(SHARED);
if (!sharedPresent) console.warn(`${SHARED} not found: skipping the shared OpenSLO examples (they run in CI, where ../shared exists)`);

describe.skipIf(!sharedPresent)('the shared OpenSLO examples (../shared/anchors/openslo)', () => {
  const AS_THEY_ARE: Readonly<Record<string, readonly string[]>> = {
    'spec-example-occurrences-threshold-rolling.yaml': [
      'document 0 (SLO "search-slo") spec.indicator.spec.thresholdMetric.metricSource.type: only "slowatch" metrics can be computed from spans, got "Any" (spec-example-occurrences-threshold-rolling.yaml:17)',
    ],
    'spec-example-ratiotimeslices-ratio-rolling.yaml': [
      'document 0 (SLO "main-page") spec.indicator.spec.ratioMetric.good.metricSource.type: only "slowatch" metrics can be computed from spans, got "Any" (spec-example-ratiotimeslices-ratio-rolling.yaml:18)',
      'document 0 (SLO "main-page") spec.indicator.spec.ratioMetric.total.metricSource.type: only "slowatch" metrics can be computed from spans, got "Any" (spec-example-ratiotimeslices-ratio-rolling.yaml:23)',
      'document 0 (SLO "main-page") spec.budgetingMethod: RatioTimeslices (the mean of the time slices\' good ratios) has no slowatch equivalent; use Timeslices (the share of slices meeting timeSliceTarget) or Occurrences (spec-example-ratiotimeslices-ratio-rolling.yaml:29)',
    ],
    'spec-example-timeslices-ratio-calendar.yaml': [
      'document 0 (SLO "service-availability") spec.indicator.spec.ratioMetric.good.metricSource.type: only "slowatch" metrics can be computed from spans, got "Any" (spec-example-timeslices-ratio-calendar.yaml:18)',
      'document 0 (SLO "service-availability") spec.indicator.spec.ratioMetric.total.metricSource.type: only "slowatch" metrics can be computed from spans, got "Any" (spec-example-timeslices-ratio-calendar.yaml:23)',
      'document 0 (SLO "service-availability") spec.timeWindow[0].duration: slowatch\'s calendar windows are one week (1w) or one month (1M), got "1m" ("m" is minutes; months are "M") (spec-example-timeslices-ratio-calendar.yaml:27)',
    ],
    'go-sdk-v1-alert-conditions.yaml': [
      'document 0 (AlertCondition "cpu-usage-breach") spec.condition.op: slowatch alerts when the burn rate rises above the threshold: must be gt or gte, got "lte" (go-sdk-v1-alert-conditions.yaml:17)',
    ],
    'go-sdk-v1-alert-policies.yaml': [
      'document 0 (AlertPolicy "low-priority") spec.conditions[0].conditionRef: no AlertCondition named "cpu-usage-breach" in the OpenSLO files (AlertConditions: none) (go-sdk-v1-alert-policies.yaml:16)',
      'document 2 (AlertPolicy "medium-priority") spec.conditions[0].conditionRef: no AlertCondition named "cpu-usage-breach" in the OpenSLO files (AlertConditions: none) (go-sdk-v1-alert-policies.yaml:66)',
    ],
  };

  it('covers every example of the directory', () => {
    const listed = readFileSync(path.join(SHARED, 'MANIFEST.md'), 'utf8').match(/^\| ([\w.-]+\.yaml) \|/gm) ?? [];
    expect(listed.map((row) => row.slice(2, -2)).sort()).toEqual(Object.keys(AS_THEY_ARE).sort());
  });

  it.each(Object.entries(AS_THEY_ARE))('%s, as it is, fails with exactly the documented messages', (file, expected) => {
    expect(load([file], SHARED).issues).toEqual(expected);
  });

  it('the alert conditions resolve the policies\' references when listed together', () => {
    expect(load(['go-sdk-v1-alert-conditions.yaml', 'go-sdk-v1-alert-policies.yaml'], SHARED).issues).toEqual(AS_THEY_ARE['go-sdk-v1-alert-conditions.yaml']);
  });

  /** Issues of a rewritten example, without line numbers (they are the rewritten text's). */
  const issuesOf = (text: string): string[] => mapOpenSloText(text).issues.map((issue) => issue.replace(/ \(slos\.yaml:\d+\)$/, ''));

  /** The example with every `metricSource` made slowatch's own (same selection, no query), parsed again. */
  function rewrittenToSlowatch(file: string, edit: (slo: Record<string, unknown>) => void = () => {}): string {
    const docs = parseAllDocuments(readFileSync(path.join(SHARED, file), 'utf8'));
    if (!Array.isArray(docs)) throw new Error(`${file}: no documents`);
    return docs
      .map((doc) => {
        const slo = doc.toJS() as Record<string, unknown>;
        const rewrite = (value: unknown): void => {
          if (typeof value !== 'object' || value === null) return;
          for (const [key, child] of Object.entries(value)) {
            if (key === 'metricSource') (value as Record<string, unknown>)[key] = { type: 'slowatch' };
            else rewrite(child);
          }
        };
        rewrite(slo);
        edit(slo);
        return stringify(slo);
      })
      .join('---\n');
  }

  it('occurrences + thresholdMetric + rolling 2w: loads once its metric source is slowatch', () => {
    const { objectives, issues } = mapOpenSloText(rewrittenToSlowatch('spec-example-occurrences-threshold-rolling.yaml'));
    expect(issues).toEqual([]);
    expect(objectives).toEqual([
      {
        name: 'search-slo',
        service: 'web-shop',
        selector: { spanKind: 'server', operations: [], attributes: {} },
        sli: { kind: 'latency', thresholdMs: 500 },
        objective: 0.99,
        period: { kind: 'rolling', durationMs: 14 * DAY },
        budgeting: { kind: 'occurrences' },
        groupBy: [],
        maxSeries: 200,
        alerting: GOOGLE,
        minEvents: 0,
      },
    ]);
  });

  it('RatioTimeslices stays refused once its metric sources are slowatch', () => {
    expect(issuesOf(rewrittenToSlowatch('spec-example-ratiotimeslices-ratio-rolling.yaml'))).toEqual([
      'document 0 (SLO "main-page") spec.budgetingMethod: RatioTimeslices (the mean of the time slices\' good ratios) has no slowatch equivalent; use Timeslices (the share of slices meeting timeSliceTarget) or Occurrences',
    ]);
  });

  it('the calendar Timeslices example: "1m" is refused, "1M" then needs a month start, and with one it loads', () => {
    const window = (duration: string, startTime: string) => (slo: Record<string, unknown>) => {
      const spec = slo.spec as { timeWindow: { duration: string; calendar: { startTime: string } }[] };
      const [first] = spec.timeWindow;
      if (first !== undefined) {
        first.duration = duration;
        first.calendar.startTime = startTime;
      }
    };
    expect(issuesOf(rewrittenToSlowatch('spec-example-timeslices-ratio-calendar.yaml'))).toEqual([
      'document 0 (SLO "service-availability") spec.timeWindow[0].duration: slowatch\'s calendar windows are one week (1w) or one month (1M), got "1m" ("m" is minutes; months are "M")',
    ]);
    expect(issuesOf(rewrittenToSlowatch('spec-example-timeslices-ratio-calendar.yaml', window('1M', '2022-01-01 12:00:00')))).toEqual([
      'document 0 (SLO "service-availability") spec.timeWindow[0].calendar.startTime: slowatch\'s calendar months start at 00:00:00 on the 1st (in calendar.timeZone); startTime must be such a moment, got "2022-01-01 12:00:00"',
    ]);
    const { objectives, issues } = mapOpenSloText(rewrittenToSlowatch('spec-example-timeslices-ratio-calendar.yaml', window('1M', '2022-01-01 00:00:00')));
    expect(issues).toEqual([]);
    expect(objectives.map((o) => [o.name, o.objective, o.period, o.budgeting, o.sli, o.service])).toEqual([
      ['service-availability-internal-objective', 0.995, { kind: 'calendar', unit: 'month', timeZone: 'America/New_York' }, { kind: 'timeslices', sliceMs: 60_000, target: 0.99 }, { kind: 'availability' }, 'web-availability'],
      ['service-availability-sla', 0.99, { kind: 'calendar', unit: 'month', timeZone: 'America/New_York' }, { kind: 'timeslices', sliceMs: 60_000, target: 0.99 }, { kind: 'availability' }, 'web-availability'],
    ]);
  });
});
