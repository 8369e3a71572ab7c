import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { sloProcessorConfigSchema } from '../../../processors/slo/config';
import { isSupportedRollingMs } from '../../../src/config/openslo/openslo-time-window';
import { isSupportedSliceMs } from '../../../src/config/openslo/openslo-slo';
import { formatDuration } from '../../../src/config/duration';
import { configErrorMap } from '../../../src/config/zod-issues';
import { mapOpenSloText } from './map-openslo-text';

/*
 * The SLO mapping rule by rule (docs/openslo.md): each case starts from a
 * valid SLO, changes one thing, and expects either the mapped values or
 * exactly the documented messages (without the line, which the YAML
 * generated here makes meaningless).
 */

type Doc = Record<string, unknown>;

const ratioIndicator = (good: Doc = { type: 'slowatch' }, total: Doc = { type: 'slowatch' }) => ({
  metadata: { name: 'errors' },
  spec: { ratioMetric: { counter: true, good: { metricSource: good }, total: { metricSource: total } } },
});

function slo(spec: Doc = {}, name = 'checkout'): Doc {
  return {
    apiVersion: 'openslo/v1',
    kind: 'SLO',
    metadata: { name },
    spec: {
      service: 'checkout',
      indicator: ratioIndicator(),
      timeWindow: [{ duration: '30d', isRolling: true }],
      budgetingMethod: 'Occurrences',
      objectives: [{ target: 0.999 }],
      ...spec,
    },
  };
}

/** The default SLO with `indicatorRef` instead of its inline indicator. */
function withIndicatorRef(name: string): Doc {
  const spec: Doc = { ...(slo().spec as Doc), indicatorRef: name };
  delete spec.indicator;
  return { ...slo(), spec };
}

const dataSourceDoc = (name: string, connectionDetails: Doc): Doc => ({ apiVersion: 'openslo/v1', kind: 'DataSource', metadata: { name }, spec: { type: 'slowatch', connectionDetails } });

function run(...docs: Doc[]) {
  const { objectives, issues } = mapOpenSloText(docs.map((d) => stringify(d)).join('---\n'));
  return { objectives, issues: issues.map((issue) => issue.replace(/ \(slos\.yaml:\d+\)$/, '')) };
}

const issuesOf = (...docs: Doc[]) => run(...docs).issues;
const only = (...docs: Doc[]) => {
  const { objectives, issues } = run(...docs);
  expect(issues).toEqual([]);
  expect(objectives).toHaveLength(1);
  return objectives[0]!;
};

describe('OpenSLO SLO mapping: the indicator', () => {
  it('ratioMetric good/total of slowatch spans → availability, selection from the total metric', () => {
    const spec = only(slo({ indicator: ratioIndicator({ type: 'slowatch', spec: { spans: 'ok' } }, { type: 'slowatch', spec: { operations: ['GET /a'], spanKind: 'client', attributes: { region: 'eu', canary: false } } }) }));
    expect(spec.sli).toEqual({ kind: 'availability' });
    expect(spec.service).toBe('checkout');
    expect(spec.selector).toEqual({ spanKind: 'client', operations: ['GET /a'], attributes: { region: 'eu', canary: 'false' } });
  });

  it('the metric source service overrides the SLO service; "*" means every service', () => {
    expect(only(slo({ indicator: ratioIndicator(undefined, { type: 'slowatch', spec: { service: 'cart' } }) })).service).toBe('cart');
    const every = only(slo({ indicator: ratioIndicator(undefined, { type: 'slowatch', spec: { service: '*' } }) }));
    expect('service' in every).toBe(false);
  });

  it('bad/total is availability too', () => {
    const indicator = { metadata: { name: 'e' }, spec: { ratioMetric: { bad: { metricSource: { type: 'slowatch', spec: { spans: 'error' } } }, total: { metricSource: { type: 'slowatch' } } } } };
    expect(only(slo({ indicator })).sli).toEqual({ kind: 'availability' });
  });

  it('thresholdMetric → latency; value in ms by default, in seconds with unit: s', () => {
    const threshold = (spec: Doc) => ({ metadata: { name: 'd' }, spec: { thresholdMetric: { metricSource: { type: 'slowatch', spec } } } });
    expect(only(slo({ indicator: threshold({}), objectives: [{ op: 'lt', value: 250, target: 0.95 }] })).sli).toEqual({ kind: 'latency', thresholdMs: 250 });
    expect(only(slo({ indicator: threshold({ unit: 's' }), objectives: [{ op: 'lte', value: 1.2, target: 0.95 }] })).sli).toEqual({ kind: 'latency', thresholdMs: 1200 });
  });

  it('an SLI by indicatorRef, its metric source by metricSourceRef, a metric spec overriding the DataSource key by key', () => {
    const dataSource = { apiVersion: 'openslo/v1', kind: 'DataSource', metadata: { name: 'spans' }, spec: { type: 'slowatch', connectionDetails: { service: 'a', spanKind: 'consumer', operations: ['x'] } } };
    const sli = { apiVersion: 'openslo/v1', kind: 'SLI', metadata: { name: 'errors' }, spec: ratioIndicator({ metricSourceRef: 'spans' }, { metricSourceRef: 'spans', type: 'slowatch', spec: { operations: ['y'] } }).spec };
    const spec = only(dataSource, sli, withIndicatorRef('errors'));
    expect([spec.service, spec.selector]).toEqual(['a', { spanKind: 'consumer', operations: ['y'], attributes: {} }]);
  });

  it.each([
    [
      'another metric source type',
      slo({ indicator: ratioIndicator({ type: 'Prometheus', spec: { query: 'up' } }) }),
      ['document 0 (SLO "checkout") spec.indicator.spec.ratioMetric.good.metricSource.type: only "slowatch" metrics can be computed from spans, got "Prometheus"'],
    ],
    [
      'no type and no reference',
      slo({ indicator: ratioIndicator({ spec: {} }) }),
      ['document 0 (SLO "checkout") spec.indicator.spec.ratioMetric.good.metricSource.type: required: "slowatch" (the only metric source slowatch computes from spans), or metricSourceRef naming a DataSource of that type'],
    ],
    [
      'a good metric narrowing the selection',
      slo({ indicator: ratioIndicator({ type: 'slowatch', spec: { attributes: { 'http.status_code': 200 } } }) }),
      ['document 0 (SLO "checkout") spec.indicator.spec.ratioMetric.good.metricSource: must select the same spans as total (slowatch counts good spans among the spans total selects), but its attributes is {"http.status_code":"200"} and total\'s is not set'],
    ],
    [
      'a wrong spans value and an unknown key',
      slo({ indicator: ratioIndicator({ type: 'slowatch', spec: { spans: 'all', query: 'x' } }) }),
      [
        'document 0 (SLO "checkout") spec.indicator.spec.ratioMetric.good.metricSource.spec.spans: must be "ok" for the good metric, got "all"',
        'document 0 (SLO "checkout") spec.indicator.spec.ratioMetric.good.metricSource.spec.query: unknown key; valid keys: service, operations, spanKind, attributes, spans',
      ],
    ],
    [
      'a raw ratio',
      slo({ indicator: { metadata: { name: 'r' }, spec: { ratioMetric: { rawType: 'success', raw: { metricSource: { type: 'slowatch' } } } } } }),
      ['document 0 (SLO "checkout") spec.indicator.spec.ratioMetric.raw: a precomputed ratio cannot be computed from spans; use good (or bad) and total with metricSource type slowatch'],
    ],
    [
      'both good and bad',
      slo({ indicator: { metadata: { name: 'r' }, spec: { ratioMetric: { good: { metricSource: { type: 'slowatch' } }, bad: { metricSource: { type: 'slowatch' } }, total: { metricSource: { type: 'slowatch' } } } } } }),
      ['document 0 (SLO "checkout") spec.indicator.spec.ratioMetric: must have exactly one of good and bad beside total, got both'],
    ],
    [
      'an unknown span kind',
      slo({ indicator: ratioIndicator(undefined, { type: 'slowatch', spec: { spanKind: 'SERVER' } }) }),
      ['document 0 (SLO "checkout") spec.indicator.spec.ratioMetric.total.metricSource.spec.spanKind: must be one of server, client, internal, producer, consumer, any, got "SERVER"'],
    ],
    [
      'a missing SLI',
      withIndicatorRef('nope'),
      ['document 0 (SLO "checkout") spec.indicatorRef: no SLI named "nope" in the OpenSLO files (SLIs: none)'],
    ],
    [
      'good naming another DataSource than total',
      slo({ indicator: ratioIndicator({ metricSourceRef: 'a' }, { metricSourceRef: 'b' }) }),
      ['document 0 (SLO "checkout") spec.indicator.spec.ratioMetric.good.metricSource: must select the same spans as total (slowatch counts good spans among the spans total selects), but its service is "a" and total\'s is "b"'],
      [dataSourceDoc('a', { service: 'a' }), dataSourceDoc('b', { service: 'b' })],
    ],
    [
      'a missing DataSource',
      slo({ indicator: ratioIndicator({ metricSourceRef: 'prom' }) }),
      ['document 0 (SLO "checkout") spec.indicator.spec.ratioMetric.good.metricSource.metricSourceRef: no DataSource named "prom" in the OpenSLO files (DataSources: none)'],
    ],
  ])('%s', (_what, doc, expected, others: Doc[] = []) => {
    expect(issuesOf(...others, doc)).toEqual(expected.map((e) => e.replace('document 0 (SLO', `document ${others.length} (SLO`)));
  });
});

describe('OpenSLO SLO mapping: time windows', () => {
  it.each([
    [[{ duration: '28d', isRolling: true }], { kind: 'rolling', durationMs: 28 * 86_400_000 }],
    [[{ duration: '4w' }], { kind: 'rolling', durationMs: 28 * 86_400_000 }],
    [[{ duration: '36h', isRolling: true }], { kind: 'rolling', durationMs: 36 * 3_600_000 }],
    [[{ duration: '1M', calendar: { timeZone: 'Asia/Tokyo' } }], { kind: 'calendar', unit: 'month', timeZone: 'Asia/Tokyo' }],
    [[{ duration: '1w', isRolling: false, calendar: { startTime: '2024-01-01 00:00:00', timeZone: 'UTC' } }], { kind: 'calendar', unit: 'week', timeZone: 'UTC' }],
    [[{ duration: '1M', isRolling: false }], { kind: 'calendar', unit: 'month', timeZone: 'UTC' }],
    [undefined, { kind: 'rolling', durationMs: 30 * 86_400_000 }],
  ])('%j → %j', (timeWindow, period) => {
    expect(only(slo({ timeWindow })).period).toEqual(period);
  });

  it.each([
    [[{ duration: '12h', isRolling: true }], 'spec.timeWindow[0].duration: slowatch keeps rolling windows from 1d to 90d in whole hours (e.g. 28d, 4w), got "12h"'],
    [[{ duration: '1M', isRolling: true }], 'spec.timeWindow[0].duration: a rolling window needs a fixed length, and months, quarters and years vary; write days or weeks (e.g. 30d, 4w), or use a calendar window, got "1M"'],
    [[{ duration: '30s', isRolling: true }], 'spec.timeWindow[0].duration: must be a duration shorthand: a whole number followed by m (minutes), h, d, w, M (months), Q or Y, e.g. 1h, 4w, 1M, got "30s": OpenSLO durations have no seconds; the smallest unit is m (minutes)'],
    [[{ duration: '1Y', isRolling: false }], 'spec.timeWindow[0].duration: slowatch\'s calendar windows are one week (1w) or one month (1M), got "1Y"'],
    [[{ duration: '2M', isRolling: false }], 'spec.timeWindow[0].duration: slowatch\'s calendar windows are one week (1w) or one month (1M), got "2M"'],
    [[{ duration: '1w', calendar: { startTime: '2024-01-02 00:00:00' } }], 'spec.timeWindow[0].calendar.startTime: slowatch\'s calendar weeks start at 00:00:00 on Monday (ISO weeks, in calendar.timeZone); startTime must be such a moment, got "2024-01-02 00:00:00"'],
    [[{ duration: '1M', calendar: { startTime: '2024-02-30 00:00:00' } }], 'spec.timeWindow[0].calendar.startTime: must be a local date and time "YYYY-MM-DD hh:mm:ss" that exists, got "2024-02-30 00:00:00"'],
    [[{ duration: '1M', calendar: { timeZone: 'Mars/Olympus' } }], 'spec.timeWindow[0].calendar.timeZone: must be an IANA time zone this runtime knows, such as UTC or America/New_York, got "Mars/Olympus"'],
    [[{ duration: '30d', isRolling: true }, { duration: '1M' }], 'spec.timeWindow: must list exactly one time window, got 2'],
  ])('%j is refused', (timeWindow, expected) => {
    expect(issuesOf(slo({ timeWindow }))).toEqual([`document 0 (SLO "checkout") ${expected}`]);
  });

  it('accepts exactly the rolling windows and time slices processors.slo accepts', () => {
    const schemaAccepts = (key: 'window' | 'slice', text: string) => {
      const objective = { name: 'x', sli: { availability: {} }, objective: 99, ...(key === 'window' ? { window: text } : { budgeting: { timeslices: { slice: text, target: 95 } } }) };
      return sloProcessorConfigSchema.safeParse({ objectives: [objective] }, { error: configErrorMap }).success;
    };
    for (const hours of [1, 12, 23, 24, 25, 36, 48, 24 * 90, 24 * 90 + 1, 24 * 91]) {
      expect(isSupportedRollingMs(hours * 3_600_000), `${hours}h`).toBe(schemaAccepts('window', `${hours}h`));
    }
    for (const ms of [500, 1000, 7000, 10_000, 30_000, 60_000, 90_000, 120_000, 300_000, 360_000]) {
      expect(isSupportedSliceMs(ms), formatDuration(ms)).toBe(schemaAccepts('slice', formatDuration(ms)));
    }
  });
});

describe('OpenSLO SLO mapping: budgeting and objectives', () => {
  it('Timeslices takes each objective\'s slice and target; a number is minutes', () => {
    const { objectives, issues } = run(
      slo({
        budgetingMethod: 'Timeslices',
        objectives: [
          { displayName: 'Strict', target: 0.99, timeSliceTarget: 1, timeSliceWindow: '1m' },
          { target: 0.95, timeSliceTarget: 0.5, timeSliceWindow: 2 },
        ],
      }),
    );
    expect(issues).toEqual([]);
    expect(objectives.map((o) => [o.name, o.objective, o.budgeting])).toEqual([
      ['checkout-strict', 0.99, { kind: 'timeslices', sliceMs: 60_000, target: 1 }],
      ['checkout-1', 0.95, { kind: 'timeslices', sliceMs: 120_000, target: 0.5 }],
    ]);
  });

  it('targetPercent is read exactly', () => {
    expect(only(slo({ objectives: [{ targetPercent: 99.95 }] })).objective).toBe(0.9995);
  });

  it('a ratio objective\'s op is ignored (the specification\'s examples carry one)', () => {
    expect(only(slo({ objectives: [{ op: 'gt', target: 0.9 }] })).objective).toBe(0.9);
  });

  it.each([
    [{ budgetingMethod: 'Timeslices', objectives: [{ target: 0.9 }] }, [
      'spec.objectives[0].timeSliceTarget: required: a ratio > 0 and <= 1 (required by budgetingMethod Timeslices)',
      'spec.objectives[0].timeSliceWindow: required: 1m to 5m (slowatch\'s time slices; a number is minutes, or a duration shorthand: a whole number followed by m (minutes), h, d, w, M (months), Q or Y, e.g. 1h, 4w, 1M), required by budgetingMethod Timeslices',
    ]],
    [{ budgetingMethod: 'Timeslices', objectives: [{ target: 0.9, timeSliceTarget: 0.9, timeSliceWindow: '10m' }] }, [
      'spec.objectives[0].timeSliceWindow: must be 1m to 5m (slowatch\'s time slices; a number is minutes, or a duration shorthand: a whole number followed by m (minutes), h, d, w, M (months), Q or Y, e.g. 1h, 4w, 1M), got "10m"',
    ]],
    [{ budgetingMethod: 'occurrences' }, ['spec.budgetingMethod: must be one of Occurrences, Timeslices, RatioTimeslices, got "occurrences"']],
    [{ objectives: [{ target: 0.9, targetPercent: 90 }] }, ['spec.objectives[0]: must have exactly one of target and targetPercent, got both']],
    [{ objectives: [{ target: 1 }] }, ['spec.objectives[0].target: must be a ratio > 0 and < 1, got 1']],
    [{ objectives: [{ target: 0.9, value: 3 }] }, ['spec.objectives[0].value: only for thresholdMetric: a ratioMetric objective has no value']],
    [{ objectives: [] }, ['spec.objectives: must list at least one objective']],
    [{ objectives: [{ target: 0.9, indicatorRef: 'x' }] }, ['spec.objectives[0].indicatorRef: per-objective indicators (composite SLOs) are not supported; give the SLO one indicator']],
    [{ objectives: [{ displayName: 'A b', target: 0.9 }, { displayName: 'a-B', target: 0.99 }] }, ['spec.objectives[1].displayName: makes the objective name "checkout-a-b", already made by objectives[0]']],
  ])('%j is refused', (spec, expected) => {
    expect(issuesOf(slo(spec))).toEqual(expected.map((e) => `document 0 (SLO "checkout") ${e}`));
  });

  it('refuses SLO names that cannot be an slo label, and the same objective name from two SLOs', () => {
    expect(issuesOf(slo({}, 'Checkout.API'))).toEqual([
      'document 0 (SLO "Checkout.API") metadata.name: becomes the slo label: must be lower-case letters, digits and "-" (not first or last), at most 63 characters, got "Checkout.API"',
    ]);
    expect(issuesOf(slo({ objectives: [{ displayName: 'b', target: 0.9 }, { target: 0.9 }] }, 'a'), slo({}, 'a-b'))).toEqual([
      'document 1 (SLO "a-b") metadata.name: makes the objective "a-b", which document 0 (SLO "a") of slos.yaml makes too; objective names become the slo label and must be unique',
    ]);
    expect(issuesOf(slo(), slo())).toEqual([
      'document 1 (SLO "checkout") metadata.name: another SLO has this name (document 0 (SLO "checkout") of slos.yaml); names are unique per kind across the openslo files',
    ]);
  });
});
