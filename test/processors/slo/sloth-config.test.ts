import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveSloProcessorSettings, sloProcessorConfigSchema } from '../../../processors/slo/config';
import type { SloProcessorSettings } from '../../../processors/slo/config';
import { ConfigError } from '../../../src/config/config-error';
import { formatConfigIssue } from '../../../src/config/config-issue';
import { loadConfig } from '../../../src/config/load-config';
import { configErrorMap, translateZodIssues } from '../../../src/config/zod-issues';
import { formatYamlPath } from '../../../src/config/yaml-path';
import { googleAlertWindows } from '../../../src/slo/alert-windows';
import { DAY_MS } from '../../../src/slo/durations';

/*
 * `processors.slo.sloth` through the real loader: Sloth prometheus/v1 specs
 * with slowatch plugin SLIs, paths and globs relative to the config file,
 * and every problem located (the Sloth file and field, or the list entry).
 */

const REPO_ROOT = path.resolve(__dirname, '../../..');
const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/sloth');

function load(name: string, cwd = FIXTURES): SloProcessorSettings {
  return loadConfig({ configPath: path.join(FIXTURES, name), env: {}, cwd }).config.processors.slo?.settings as SloProcessorSettings;
}

function failure(name: string, cwd = FIXTURES): string[] {
  try {
    loadConfig({ configPath: path.join(FIXTURES, name), env: {}, cwd });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map(formatConfigIssue);
  }
  throw new Error(`${name} loaded`);
}

describe('processors.slo.sloth', () => {
  it('adds the SLOs of the glob\'s files (name order, documents in order) after the objectives written in the config', () => {
    const settings = load('config_glob.yaml');
    expect(settings.objectives.map((o) => [o.name, o.service, o.sli, o.objective, o.alerting.page, o.alerting.ticket])).toEqual([
      ['cart-latency', 'cart', { kind: 'latency', thresholdMs: 250 }, 0.99, true, true],
      ['checkout-requests-availability', 'checkout', { kind: 'availability' }, 0.999, true, false],
      ['checkout-requests-latency', 'checkout', { kind: 'latency', thresholdMs: 300 }, 0.95, false, false],
      ['payments-charge-availability', 'payments', { kind: 'availability' }, 0.995, true, true],
      ['ledger-writes-latency', 'ledger', { kind: 'latency', thresholdMs: 1500 }, 0.99, true, false],
    ]);
  });

  it('maps selectors, the 30d period, Sloth\'s windows and the processor defaults', () => {
    const [, availability, latency, charge] = load('config_glob.yaml').objectives;
    expect(availability).toEqual({
      name: 'checkout-requests-availability',
      service: 'checkout',
      selector: { spanKind: 'server', operations: ['POST /checkout', 'GET /cart*'], attributes: {} },
      sli: { kind: 'availability' },
      objective: 0.999,
      period: { kind: 'rolling', durationMs: 30 * DAY_MS },
      budgeting: { kind: 'occurrences' },
      groupBy: [],
      maxSeries: 200,
      alerting: { page: true, ticket: false, windows: googleAlertWindows() },
      minEvents: 0,
    });
    expect(latency?.selector).toEqual({ operations: [], attributes: { 'deployment.environment': 'prod', shard: '3' } });
    expect(charge?.selector).toEqual({ spanKind: 'client', operations: ['POST /charge', 'POST /refund'], attributes: {} });
  });

  it('paths are relative to the config file, whatever the working directory; sloth alone replaces the default objectives', () => {
    expect(load('config_glob.yaml', REPO_ROOT).objectives).toEqual(load('config_glob.yaml').objectives);
    expect(load('config_only.yaml').objectives.map((o) => o.name)).toEqual(['payments-charge-availability', 'ledger-writes-latency']);
  });

  it('reports list entries naming no file at the processor, each with its index', () => {
    expect(failure('config_missing.yaml')).toEqual([
      `processors.slo: cannot be used: sloth[1]: "./no-such-dir/*.yaml": matches no file (looked under ${path.join(FIXTURES, 'no-such-dir')}); sloth[2]: "./specs/missing.yaml": no such file: ${path.join(FIXTURES, 'specs/missing.yaml')} (config_missing.yaml:3)`,
    ]);
  });

  it('reports every problem inside the Sloth files with its file and field, shown from the working directory', () => {
    for (const [cwd, shown] of [[FIXTURES, 'bad/'], [REPO_ROOT, 'test/fixtures/sloth/bad/']] as const) {
      expect(failure('config_bad.yaml', cwd)).toEqual([
        `slos[0].objective: must be below 100 (an objective of 100 % leaves no error budget), got 100 (${shown}fields.yaml)`,
        `slos[0].sli.plugin.options.threshold: unknown option for slowatch/availability (threshold is for slowatch/latency); valid options: operations, span_kind, attributes (${shown}fields.yaml)`,
        `slos[1].name: the objective name "<service>-<name>" must be lower-case letters, digits and "-" (not first or last), at most 63 characters, got "api-Latency" (${shown}fields.yaml)`,
        `slos[1].sli.plugin.options.span_kind: must be one of server, client, internal, producer, consumer, any, got "server-ish" (${shown}fields.yaml)`,
        `slos[1].sli.plugin.options.threshold: slowatch/latency needs a duration > 0 such as 300ms: cannot read "fast"; use a number followed by a unit (ms, s, m, h, d, w), e.g. 300ms, 10s, 5m, 1h30m, 30d or 2w (${shown}fields.yaml)`,
        `slos[2].sli.plugin.id: must be slowatch/availability or slowatch/latency (other Sloth plugins run PromQL, which cannot be computed from spans), got "sloth-common/kubernetes/apiserver/availability" (${shown}fields.yaml)`,
        `slos[2].sli.plugin.options.filter: unknown option; valid options: operations, span_kind, attributes, threshold (${shown}fields.yaml)`,
        `slos[0].sli.events: PromQL SLIs cannot be computed from spans; use sli.plugin.id slowatch/availability or slowatch/latency (${shown}promql.yaml)`,
        `slos[1].sli.raw: PromQL SLIs cannot be computed from spans; use sli.plugin.id slowatch/availability or slowatch/latency (${shown}promql.yaml)`,
      ]);
    }
  });

  it('validates the list like every other key', () => {
    const problems = (value: unknown) => {
      const result = sloProcessorConfigSchema.safeParse(value, { error: configErrorMap });
      return result.success ? [] : translateZodIssues(result.error.issues).map((p) => `${formatYamlPath(p.path)}: ${p.message}`);
    };
    expect(problems({ sloth: null })).toEqual([]);
    expect(problems({ sloth: ['a.yaml', 3] })).toEqual(['sloth[1]: must be a non-empty string (Sloth prometheus/v1 file paths or globs), got 3']);
    expect(problems({ sloth: ['a.yaml', 'a.yaml'] })).toEqual(['sloth[1]: duplicate "a.yaml", already listed at [0]']);
  });

  it('refuses an objective name defined twice: in objectives, or across Sloth files', () => {
    const context = { configDir: FIXTURES, file: 'x.yaml' };
    expect(() =>
      resolveSloProcessorSettings({ objectives: [{ name: 'ledger-writes-latency', sli: { availability: {} }, objective: 99 }], sloth: ['specs/payments.yaml'] }, context),
    ).toThrow('objective "ledger-writes-latency" is defined by objectives and by a Sloth SLO (<service>-<name>); objective names become the slo label and must be unique');
    try {
      resolveSloProcessorSettings({ sloth: ['specs/payments.yaml', 'specs/*.yaml'] }, context);
    } catch (error) {
      throw new Error(`a glob repeating a listed file is read once: ${String(error)}`);
    }
  });
});
