import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createDefaultConfig,
  createObjectiveDefaults,
  percentToRatio,
  resolveSloProcessorSettings,
  sloProcessorConfigSchema,
} from '../../../processors/slo/config';
import type { SloProcessorConfig } from '../../../processors/slo/config';
import { googleAlertWindows } from '../../../src/slo/alert-windows';
import { translateZodIssues, configErrorMap } from '../../../src/config/zod-issues';
import { formatYamlPath } from '../../../src/config/yaml-path';

/** Validates like the loader does and returns `path: message` lines. */
function problems(value: unknown): string[] {
  const result = sloProcessorConfigSchema.safeParse(value, { error: configErrorMap });
  return result.success ? [] : translateZodIssues(result.error.issues).map((p) => `${formatYamlPath(p.path)}: ${p.message}`);
}

const objective = (extra: Record<string, unknown> = {}) => ({ name: 'x', sli: { availability: {} }, objective: 99, ...extra });

describe('slo processor config: defaults', () => {
  it('createDefaultConfig passes its own schema', () => {
    expect(problems(createDefaultConfig())).toEqual([]);
    const withEveryObjectiveDefault = {
      objectives: createDefaultConfig().objectives.map((o) => ({ ...createObjectiveDefaults(), ...o })),
    };
    expect(problems(withEveryObjectiveDefault)).toEqual([]);
  });

  it('resolves to the documented defaults', () => {
    const settings = resolveSloProcessorSettings(createDefaultConfig());
    expect(settings.evaluationIntervalMs).toBe(10_000);
    expect(settings.objectives.map((o) => [o.name, o.sli, o.objective, o.selector.spanKind, o.service])).toEqual([
      ['availability', { kind: 'availability' }, 0.999, 'server', undefined],
      ['latency', { kind: 'latency', thresholdMs: 200 }, 0.95, 'server', undefined],
    ]);
    for (const o of settings.objectives) {
      expect(o.period).toEqual({ kind: 'rolling', durationMs: 30 * 86_400_000 });
      expect(o.budgeting).toEqual({ kind: 'occurrences' });
      expect(o.alerting).toEqual({ page: true, ticket: true, windows: googleAlertWindows() });
      expect([o.maxSeries, o.minEvents, o.groupBy]).toEqual([200, 0, []]);
    }
  });

  it('gives the default objectives when objectives is absent or empty', () => {
    expect(resolveSloProcessorSettings({}).objectives.map((o) => o.name)).toEqual(['availability', 'latency']);
    expect(resolveSloProcessorSettings({ objectives: [] }).objectives.map((o) => o.name)).toEqual(['availability', 'latency']);
  });

  it('fills the optional keys of a written objective', () => {
    const [spec] = resolveSloProcessorSettings({ objectives: [{ name: 'x', sli: { availability: {} }, objective: 99, selector: { operations: ['GET /'] } }] }).objectives;
    expect(spec?.selector).toEqual({ spanKind: 'server', operations: ['GET /'], attributes: {} });
    expect(spec?.service).toBeUndefined();
    expect(spec !== undefined && 'service' in spec).toBe(false);
  });
});

describe('slo processor config: resolution', () => {
  it('turns percentages into exact ratios', () => {
    expect(percentToRatio(99.9)).toBe(0.999);
    expect(percentToRatio(99.95)).toBe(0.9995);
    expect(percentToRatio(95)).toBe(0.95);
    expect(percentToRatio(0.001)).toBe(0.00001);
    expect(percentToRatio(100)).toBe(1);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99_999 }), (thousandths) => {
        const percent = Number(`${thousandths}e-3`);
        expect(percentToRatio(percent)).toBe(Number(`${thousandths}e-5`));
      }),
    );
  });

  it('resolves calendar windows (UTC unless told), timeslices and span_kind any', () => {
    const config: SloProcessorConfig = {
      objectives: [
        objective({ name: 'a', window: { calendar: 'week' }, budgeting: { timeslices: { slice: '10s', target: 99.5 } }, selector: { span_kind: 'any' } }),
        objective({ name: 'b', window: { calendar: 'month', time_zone: 'America/New_York' }, sli: { latency: { threshold: '250ms' } } }),
      ] as SloProcessorConfig['objectives'],
    };
    expect(problems(config)).toEqual([]);
    const [a, b] = resolveSloProcessorSettings(config).objectives;
    expect(a?.period).toEqual({ kind: 'calendar', unit: 'week', timeZone: 'UTC' });
    expect(a?.budgeting).toEqual({ kind: 'timeslices', sliceMs: 10_000, target: 0.995 });
    expect(a?.selector).toEqual({ operations: [], attributes: {} });
    expect(b?.period).toEqual({ kind: 'calendar', unit: 'month', timeZone: 'America/New_York' });
    expect(b?.sli).toEqual({ kind: 'latency', thresholdMs: 250 });
  });

  it('marks the explicit rule with the shortest long window of each severity as quick', () => {
    const windows = [
      { severity: 'ticket', short_window: '6h', long_window: '3d', error_budget_percent: 10 },
      { severity: 'page', short_window: '30m', long_window: '6h', error_budget_percent: 5 },
      { severity: 'ticket', short_window: '2h', long_window: '1d', error_budget_percent: 10 },
      { severity: 'page', short_window: '5m', long_window: '1h', error_budget_percent: 2 },
    ];
    const config = { objectives: [objective({ alerting: { windows } })] } as SloProcessorConfig;
    expect(problems(config)).toEqual([]);
    const [spec] = resolveSloProcessorSettings(config).objectives;
    expect(spec?.alerting.windows).toEqual([
      { severity: 'ticket', speed: 'slow', shortWindowMs: 21_600_000, longWindowMs: 259_200_000, errorBudgetPercent: 10 },
      { severity: 'page', speed: 'slow', shortWindowMs: 1_800_000, longWindowMs: 21_600_000, errorBudgetPercent: 5 },
      { severity: 'ticket', speed: 'quick', shortWindowMs: 7_200_000, longWindowMs: 86_400_000, errorBudgetPercent: 10 },
      { severity: 'page', speed: 'quick', shortWindowMs: 300_000, longWindowMs: 3_600_000, errorBudgetPercent: 2 },
    ]);
  });
});

describe('slo processor config: validation', () => {
  it.each([
    [{ evaluation_interval: '999ms' }, 'evaluation_interval: must be a duration >= 1s, got "999ms"'],
    [{ evaluation_interval: 10 }, 'evaluation_interval: must be a duration >= 1s, got 10: a duration needs a unit (ms, s, m, h, d, w), e.g. 10ms or 10s'],
    [{ objectives: 'all' }, 'objectives: must be a list of objectives, got "all"'],
    [{ objectives: [objective({ objective: 0 })] }, 'objectives[0].objective: must be > 0 and < 100, got 0'],
    [{ objectives: [objective({ objective: true })] }, 'objectives[0].objective: must be a percentage > 0 and < 100, got true'],
    [{ objectives: [objective({ name: 'a'.repeat(64) })] }, `objectives[0].name: must be lower-case letters, digits and "-" (not first or last), at most 63 characters, got "${'a'.repeat(64)}"`],
    [{ objectives: [objective({ sli: { latency: { threshold: '0s' } } })] }, 'objectives[0].sli.latency.threshold: must be a duration > 0, got "0s"'],
    [{ objectives: [objective({ sli: { errors: {} } })] }, 'objectives[0].sli.errors: unknown key; valid keys: availability, latency'],
    [{ objectives: [objective({ sli: 'availability' })] }, 'objectives[0].sli: must be { availability: {} } or { latency: { threshold: <duration> } }, got "availability"'],
    [{ objectives: [objective({ sli: { availability: { x: 1 } } })] }, 'objectives[0].sli.availability.x: unknown key; nothing can be set here'],
    [{ objectives: [objective({ window: 30 })] }, 'objectives[0].window: must be a rolling window from 1d to 90d in whole hours (e.g. 30d), or { calendar: month|week, time_zone: <IANA time zone> }, got 30'],
    [{ objectives: [objective({ window: { time_zone: 'UTC' } })] }, 'objectives[0].window.calendar: required: month or week'],
    [{ objectives: [objective({ budgeting: { timeslices: { slice: '6m', target: 90 } } })] }, 'objectives[0].budgeting.timeslices.slice: must be a duration from 1s to 5m that divides 1m or is a whole number of minutes (e.g. 10s, 1m, 5m), got "6m"'],
    [{ objectives: [objective({ group_by: 'http.route' })] }, 'objectives[0].group_by: must be a list of attribute keys, got "http.route"'],
    [{ objectives: [objective({ max_series: 0 })] }, 'objectives[0].max_series: must be an integer from 1 to 10000, got 0'],
    [{ objectives: [objective({ selector: { operations: [''] } })] }, 'objectives[0].selector.operations[0]: must be a non-empty string (operation name), got ""'],
    [{ objectives: [objective({ selector: { attributes: ['a'] } })] }, 'objectives[0].selector.attributes: must be a mapping of attribute names to values, got a list'],
    [{ objectives: [objective({ alerting: { page: 'yes' } })] }, 'objectives[0].alerting.page: must be true or false, got "yes"'],
    [{ objectives: [objective({ alerting: { windows: [] } })] }, 'objectives[0].alerting.windows: must be google or a non-empty list of windows, got a list'],
    [{ objectives: [objective({ alerting: { windows: 'sloth' } })] }, 'objectives[0].alerting.windows: must be google or a list of { severity, short_window, long_window, error_budget_percent }, got "sloth"'],
    [{ objectives: [objective({ service: '' })] }, 'objectives[0].service: must be a non-empty string (a service.name), got ""'],
  ])('%j', (value, expected) => {
    expect(problems(value)).toEqual([expected]);
  });

  it('reports every missing or unknown part of budgeting', () => {
    expect(problems({ objectives: [objective({ budgeting: { timeslices: null } })] })).toEqual([
      'objectives[0].budgeting.timeslices.slice: required: a duration from 1s to 5m that divides 1m or is a whole number of minutes (e.g. 10s, 1m, 5m)',
      'objectives[0].budgeting.timeslices.target: required: a percentage > 0 and <= 100',
    ]);
    expect(problems({ objectives: [objective({ budgeting: { occurrences: {} } })] })).toEqual([
      'objectives[0].budgeting.timeslices: required: a mapping with slice and target, e.g. { slice: 1m, target: 95 }',
      'objectives[0].budgeting.occurrences: unknown key; valid keys: timeslices',
    ]);
  });

  it('accepts empty values for mappings and lists (their defaults)', () => {
    expect(problems({ objectives: [objective({ selector: null, alerting: null, group_by: null, sli: { availability: null } })] })).toEqual([]);
    expect(problems({ objectives: null })).toEqual([]);
  });

  it('never lets zod wording through, whatever the input', () => {
    const yamlValue = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom(null, true, 0, -1, 99.9, 1e9, '', '5m', '30d', 'google', 'occurrences', 'server', 'x'),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(
          fc.constantFrom('name', 'sli', 'objective', 'window', 'budgeting', 'selector', 'alerting', 'windows', 'latency', 'availability', 'threshold', 'calendar', 'timeslices', 'slice', 'target', 'zzz'),
          tie('value'),
          { maxKeys: 4 },
        ),
      ),
    })).value;
    fc.assert(
      fc.property(fc.record({ evaluation_interval: yamlValue, objectives: fc.array(yamlValue, { maxLength: 3 }) }, { requiredKeys: [] }), (value) => {
        for (const line of problems(value)) {
          expect(line).not.toMatch(/Invalid input|Invalid option|Unrecognized key|Too (small|big)|received|expected/);
        }
      }),
      { numRuns: 300 },
    );
  });
});
