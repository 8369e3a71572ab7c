import { describe, expect, it } from 'vitest';
import type { PrometheusExporterOptions } from '../../exporters/prometheus/config';
import type { SloProcessorSettings } from '../../processors/slo/config';
import { ConfigError } from '../../src/config/config-error';
import { formatConfigIssue } from '../../src/config/config-issue';
import { loadConfig } from '../../src/config/load-config';
import type { SlowatchConfig } from '../../src/config/slowatch-config';
import { CONFIG_FIXTURES_DIR, readConfigFixtures } from './fixture-file';
import { EXPORTER_VALID_CASES } from '../exporters/otlp/fixture-cases';
import { REGRESSION_VALID_CASES } from '../processors/regression/fixture-cases';
import { BASELINE_VALID_CASES } from '../processors/baseline/fixture-cases';
import { RECOMMEND_VALID_CASES } from '../processors/recommend/fixture-cases';

/*
 * Table-driven over test/fixtures/config/:
 * - valid_*.yaml must load; each has an entry below asserting a few resolved values;
 * - invalid_*.yaml must fail with exactly the issues in its `# expect:` lines, in order.
 * `# env: NAME=value` lines give the environment a fixture is loaded with.
 */

const slo = (config: SlowatchConfig, id = 'slo'): SloProcessorSettings => config.processors[id]?.settings as SloProcessorSettings;
const prometheus = (config: SlowatchConfig, id = 'prometheus'): PrometheusExporterOptions =>
  config.exporters[id]?.settings as PrometheusExporterOptions;

const VALID_CASES: Readonly<Record<string, (config: SlowatchConfig) => void>> = {
  ...EXPORTER_VALID_CASES,
  ...REGRESSION_VALID_CASES,
  ...BASELINE_VALID_CASES,
  ...RECOMMEND_VALID_CASES,
  'valid_minimal.yaml': (config) => {
    expect(slo(config).evaluationIntervalMs).toBe(10_000);
    expect(slo(config).objectives.map((o) => [o.name, o.sli, o.objective])).toEqual([
      ['availability', { kind: 'availability' }, 0.999],
      ['latency', { kind: 'latency', thresholdMs: 200 }, 0.95],
    ]);
    expect(config.exporters).toEqual({});
    expect(config.service.pipelines).toEqual([{ id: 'traces', signal: 'traces', receivers: [], processors: ['slo'], exporters: [] }]);
  },
  'valid_full.yaml': (config) => {
    const [availability, latency] = slo(config).objectives;
    expect(slo(config).evaluationIntervalMs).toBe(30_000);
    expect(availability).toMatchObject({
      name: 'checkout-availability',
      service: 'checkout',
      selector: {
        spanKind: 'server',
        operations: ['POST /checkout', 'GET /cart*'],
        attributes: { 'deployment.environment': 'prod', 'http.status_code': '200', canary: 'false' },
      },
      objective: 0.9995,
      period: { kind: 'rolling', durationMs: 28 * 86_400_000 },
      budgeting: { kind: 'occurrences' },
      groupBy: ['http.route', 'cloud.region'],
      maxSeries: 50,
      alerting: { page: true, ticket: false },
      minEvents: 20,
    });
    expect(availability?.alerting.windows).toHaveLength(4);
    expect(latency?.selector).toEqual({ operations: [], attributes: {} }); // span_kind: any
    expect(latency?.sli).toEqual({ kind: 'latency', thresholdMs: 1500 });
    expect(latency?.period).toEqual({ kind: 'calendar', unit: 'month', timeZone: 'Europe/Berlin' });
    expect(latency?.budgeting).toEqual({ kind: 'timeslices', sliceMs: 60_000, target: 0.95 });
    expect(latency?.alerting.windows.map((w) => `${w.severity}/${w.speed}`)).toEqual(['page/quick', 'page/slow', 'ticket/quick']);
    expect(prometheus(config)).toEqual({ host: '0.0.0.0', port: 9100 });
    expect(config.service.logLevel).toBe('debug');
  },
  'valid_env.yaml': (config) => {
    const [objective] = slo(config).objectives;
    expect(slo(config).evaluationIntervalMs).toBe(15_000); // default of an unset variable
    expect(objective?.service).toBe('checkout');
    expect(objective?.objective).toBe(0.995); // whole-scalar reference re-read as a number
    expect(objective?.selector.operations).toEqual(['${env:SLO_SERVICE} is literal', 'costs $5']);
    expect(objective?.selector.attributes).toEqual({ quoted: '9200', with_default_for_empty: 'fallback', cost: '5$', unset: '' });
    expect(prometheus(config)).toEqual({ host: '127.0.0.1', port: 9200 });
  },
  'valid_named_components.yaml': (config) => {
    expect(Object.keys(config.processors)).toEqual(['slo/checkout', 'slo/search']);
    expect(config.processors['slo/checkout']).toMatchObject({ kind: 'processor', type: 'slo', name: 'checkout' });
    expect(slo(config, 'slo/checkout').objectives.map((o) => o.name)).toEqual(['checkout-availability']);
    expect(slo(config, 'slo/search').evaluationIntervalMs).toBe(60_000);
    expect(prometheus(config, 'prometheus/internal')).toEqual({ host: '::1', port: 9464 });
    expect(config.service.pipelines.map((p) => [p.id, p.signal, p.name])).toEqual([
      ['traces/checkout', 'traces', 'checkout'],
      ['traces/search', 'traces', 'search'],
      ['metrics', 'metrics', undefined],
    ]);
  },
  'valid_empty_objectives.yaml': (config) => {
    expect(slo(config).objectives.map((o) => o.name)).toEqual(['availability', 'latency']);
    expect(prometheus(config)).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(config.service.pipelines.map((p) => p.id)).toEqual(['traces', 'metrics', 'logs']);
  },
  'valid_storage.yaml': (config) => {
    expect(config.service.extensions).toEqual(['storage', 'storage/defaults', 'storage/partial']);
    expect(config.extensions['storage/defaults']?.settings).toMatchObject({ path: './data/slowatch.db', snapshotIntervalMs: 10_000 });
    expect(config.extensions['storage/partial']?.settings).toMatchObject({ path: '/tmp/stores/partial.db' });
  },
  'valid_anchors.yaml': (config) => {
    expect(slo(config).objectives.map((o) => [o.name, o.objective, o.period])).toEqual([
      ['cart', 0.99, { kind: 'rolling', durationMs: 7 * 86_400_000 }],
      ['search', 0.95, { kind: 'rolling', durationMs: 7 * 86_400_000 }],
    ]);
  },
};

describe('valid config fixtures', () => {
  const fixtures = readConfigFixtures('valid_');

  it('every valid fixture has assertions in the table', () => {
    expect(fixtures.map((f) => f.name).sort()).toEqual(Object.keys(VALID_CASES).sort());
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('%s loads', (_name, fixture) => {
    const loaded = loadConfig({ configPath: fixture.path, env: fixture.env, cwd: CONFIG_FIXTURES_DIR });
    expect(loaded.source).toBe(fixture.path);
    VALID_CASES[fixture.name]?.(loaded.config);
  });
});

describe('invalid config fixtures', () => {
  const fixtures = readConfigFixtures('invalid_');

  it.each(fixtures.map((f) => [f.name, f] as const))('%s reports exactly its expected issues', (_name, fixture) => {
    expect(fixture.expectedIssues.length).toBeGreaterThan(0);
    let error: unknown;
    try {
      loadConfig({ configPath: fixture.path, env: fixture.env, cwd: CONFIG_FIXTURES_DIR });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.issues.map(formatConfigIssue)).toEqual(fixture.expectedIssues);
    expect(configError.message).toBe(fixture.expectedIssues.join('\n'));
    for (const issue of configError.issues) expect(issue.file).toBe(fixture.name);
  });

  it('covers the cases the config layer promises to explain', () => {
    const names = fixtures.map((f) => f.name);
    for (const required of [
      'invalid_objective_range.yaml',
      'invalid_unknown_top_level_key.yaml',
      'invalid_unknown_objective_key.yaml',
      'invalid_unknown_selector_key.yaml',
      'invalid_bad_duration.yaml',
      'invalid_bad_window.yaml',
      'invalid_calendar_unit.yaml',
      'invalid_time_zone.yaml',
      'invalid_duplicate_name.yaml',
      'invalid_bad_name.yaml',
      'invalid_sli_two_keys.yaml',
      'invalid_timeslice_target.yaml',
      'invalid_undefined_component.yaml',
      'invalid_unknown_component_type.yaml',
      'invalid_yaml_syntax.yaml',
      'invalid_env_reference.yaml',
      'invalid_multiple_issues.yaml',
    ]) {
      expect(names).toContain(required);
    }
  });
});
