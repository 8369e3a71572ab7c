import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveSloProcessorSettings, sloProcessorConfigSchema } from '../../../processors/slo/config';
import type { SloProcessorSettings } from '../../../processors/slo/config';
import { ConfigError } from '../../../src/config/config-error';
import { formatConfigIssue } from '../../../src/config/config-issue';
import { loadConfig } from '../../../src/config/load-config';
import { parseConfigText } from '../../../src/config/parse-config';
import { configErrorMap, translateZodIssues } from '../../../src/config/zod-issues';
import { formatYamlPath } from '../../../src/config/yaml-path';

/*
 * `processors.slo.openslo` through the real loader: paths and globs relative
 * to the config file, OpenSLO SLOs beside `objectives`, and every problem
 * located (the OpenSLO file, document and field; or the list entry).
 */

const REPO_ROOT = path.resolve(__dirname, '../../..');
const CONFIG_DIR = path.join(REPO_ROOT, 'test/fixtures/config');

function load(name: string, cwd = CONFIG_DIR): SloProcessorSettings {
  return loadConfig({ configPath: path.join(CONFIG_DIR, name), env: {}, cwd }).config.processors.slo?.settings as SloProcessorSettings;
}

function failure(name: string, cwd = CONFIG_DIR): string[] {
  try {
    loadConfig({ configPath: path.join(CONFIG_DIR, name), env: {}, cwd });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map(formatConfigIssue);
  }
  throw new Error(`${name} loaded`);
}

describe('processors.slo.openslo', () => {
  it('adds the SLOs of the listed files (a path, then a glob\'s matches in name order) after the objectives written in the config', () => {
    const settings = load('openslo_objectives_and_files.yaml');
    expect(settings.objectives.map((o) => [o.name, o.service, o.sli])).toEqual([
      ['cart-latency', 'cart', { kind: 'latency', thresholdMs: 250 }],
      ['checkout-availability', 'checkout', { kind: 'availability' }],
      ['payments-errors', undefined, { kind: 'availability' }],
      ['search-latency-fast-search', 'web-shop', { kind: 'latency', thresholdMs: 300 }],
      ['search-latency-usable-search', 'web-shop', { kind: 'latency', thresholdMs: 1500 }],
    ]);
  });

  it('paths are relative to the config file, whatever the working directory', () => {
    expect(load('openslo_objectives_and_files.yaml', REPO_ROOT).objectives).toEqual(load('openslo_objectives_and_files.yaml').objectives);
  });

  it('openslo alone replaces the default objectives; ** globs', () => {
    expect(load('openslo_only_recursive_glob.yaml').objectives.map((o) => o.name)).toEqual(['payments-errors']);
  });

  it('reports problems inside the OpenSLO files at their file, document, field and line, shown from the working directory', () => {
    const expected = [
      'document 0 (DataSource "prometheus") spec.type: only "slowatch" metrics can be computed from spans, got "Prometheus" (../openslo/unmappable.yaml:7)',
      'document 1 (SLO "api-latency") spec.indicator.spec.thresholdMetric.metricSource.spec.unit: must be ms or s (the unit of the objectives\' value), got "us" (../openslo/unmappable.yaml:24)',
      'document 1 (SLO "api-latency") spec.timeWindow[0].duration: a rolling window needs a fixed length, and months, quarters and years vary; write days or weeks (e.g. 30d, 4w), or use a calendar window, got "1Q" (../openslo/unmappable.yaml:26)',
      'document 1 (SLO "api-latency") spec.objectives[0].op: slowatch\'s latency objectives count a span as good when it takes at most value: must be lt or lte, got "gt" (../openslo/unmappable.yaml:30)',
      'document 1 (SLO "api-latency") spec.alertPolicies[0].alertPolicyRef: no AlertPolicy named "missing-policy" in the OpenSLO files (AlertPolicies: none) (../openslo/unmappable.yaml:34)',
      'document 0 (SLO "main-page") spec.budgetingMethod: RatioTimeslices (the mean of the time slices\' good ratios) has no slowatch equivalent; use Timeslices (the share of slices meeting timeSliceTarget) or Occurrences (../openslo/ratio-timeslices.yaml:20)',
    ];
    // The loader orders all of a config's issues by line (sortConfigIssues), across files: compare each file's issues in order.
    const ofFile = (issues: string[], file: string) => issues.filter((issue) => issue.includes(`${file}:`));
    for (const [cwd, shown] of [[CONFIG_DIR, '../openslo/'], [REPO_ROOT, 'test/fixtures/openslo/']] as const) {
      const issues = failure('openslo_unmappable.yaml', cwd);
      const wanted = expected.map((line) => line.replace('(../openslo/', `(${shown}`));
      expect(issues).toHaveLength(wanted.length);
      for (const file of ['unmappable.yaml', 'ratio-timeslices.yaml']) expect(ofFile(issues, `${shown}${file}`)).toEqual(ofFile(wanted, `${shown}${file}`));
    }
  });

  it('reports list entries naming no file at the processor, each with its index', () => {
    const dir = path.join(CONFIG_DIR, 'no-such-dir');
    const missing = path.join(REPO_ROOT, 'test/fixtures/openslo/missing.yaml');
    expect(failure('openslo_no_match.yaml')).toEqual([
      `processors.slo: cannot be used: openslo[1]: "./no-such-dir/*.yaml": matches no file (looked under ${dir}); openslo[2]: "../openslo/missing.yaml": no such file: ${missing} (openslo_no_match.yaml:3)`,
    ]);
  });

  it('validates the list like every other key', () => {
    expect(failure('openslo_bad_list.yaml')).toEqual(['processors.slo.openslo[1]: duplicate "../openslo/a.yaml", already listed at [0] (openslo_bad_list.yaml:4)']);
    const problems = (value: unknown) => {
      const result = sloProcessorConfigSchema.safeParse(value, { error: configErrorMap });
      return result.success ? [] : translateZodIssues(result.error.issues).map((p) => `${formatYamlPath(p.path)}: ${p.message}`);
    };
    expect(problems({ openslo: null })).toEqual([]);
    expect(problems({ openslo: ['a.yaml', 3] })).toEqual(['openslo[1]: must be a non-empty string (OpenSLO file paths or globs), got 3']);
    expect(problems({ openslo: 'slos/*.yaml' })).toEqual(['openslo: must be a list of OpenSLO file paths or globs, got "slos/*.yaml"']);
  });

  it('refuses an objective name used both in objectives and by an OpenSLO SLO, and files defining no SLO', () => {
    const base = { baseDir: path.join(REPO_ROOT, 'test/fixtures/openslo') };
    const context = { configDir: base.baseDir, file: 'x.yaml' };
    expect(() =>
      resolveSloProcessorSettings({ objectives: [{ name: 'payments-errors', sli: { availability: {} }, objective: 99 }], openslo: ['list-form-*.yaml'] }, context),
    ).toThrow('objective "payments-errors" is defined under objectives and by an OpenSLO SLO; objective names become the slo label and must be unique');
    expect(() => parseConfigText('processors:\n  slo:\n    openslo: [test/fixtures/openslo/*.yml]\nservice:\n  pipelines:\n    traces: { processors: [slo] }\n', { file: 'inline.yaml', env: {}, configDir: REPO_ROOT })).toThrow(
      `processors.slo: cannot be used: openslo[0]: "test/fixtures/openslo/*.yml": matches no file (looked under ${path.join(REPO_ROOT, 'test/fixtures/openslo')}) (inline.yaml:2)`,
    );
  });

  it('without objectives or openslo, the default objectives still apply', () => {
    expect(resolveSloProcessorSettings({ openslo: [] }).objectives.map((o) => o.name)).toEqual(['availability', 'latency']);
  });
});
