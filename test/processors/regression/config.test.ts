import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createDefaultConfig,
  regressionProcessorConfigSchema,
  regressionProcessorFactory,
  resolveRegressionProcessorSettings,
} from '../../../processors/regression/config';
import { translateZodIssues, configErrorMap } from '../../../src/config/zod-issues';
import { formatYamlPath } from '../../../src/config/yaml-path';
import { DOCUMENTED_REGRESSION_DEFAULTS } from './fixture-cases';

/** Validates like the loader does and returns `path: message` lines. */
function problems(value: unknown): string[] {
  const result = regressionProcessorConfigSchema.safeParse(value, { error: configErrorMap });
  return result.success ? [] : translateZodIssues(result.error.issues).map((p) => `${formatYamlPath(p.path)}: ${p.message}`);
}

describe('regression processor config: defaults', () => {
  it('createDefaultConfig passes its own schema and holds every key', () => {
    expect(problems(createDefaultConfig())).toEqual([]);
    expect(Object.keys(createDefaultConfig()).sort()).toEqual(
      [
        'canary_window',
        'classifier',
        'evaluation_interval',
        'max_keys',
        'max_services',
        'max_versions',
        'min_samples',
        'report_improvements',
        'reservoir_size',
        'services',
        'span_kinds',
        'warmup',
        'window',
      ].sort(),
    );
  });

  it('resolves to the documented defaults, the same from {} and from createDefaultConfig()', () => {
    const expected = DOCUMENTED_REGRESSION_DEFAULTS;
    expect(resolveRegressionProcessorSettings(createDefaultConfig())).toEqual(expected);
    expect(resolveRegressionProcessorSettings({})).toEqual(expected);
    expect(regressionProcessorFactory.resolve({}, { env: {} })).toEqual(expected);
  });

  it('lays a partial classifier over the classifier defaults', () => {
    const settings = resolveRegressionProcessorSettings({ classifier: { tolerance: 0 } });
    expect(settings.classifier).toEqual({ tolerance: 0, confidenceLevel: 0.95, effectSizeThresholds: [0.9, 1.1], criticalThresholds: [0.5, 2] });
  });

  it('is a traces processor of type regression', () => {
    expect([regressionProcessorFactory.kind, regressionProcessorFactory.type, regressionProcessorFactory.signals]).toEqual(['processor', 'regression', ['traces']]);
  });
});

describe('regression processor config: validation', () => {
  it.each([
    [{ evaluation_interval: '500ms' }, 'evaluation_interval: must be a duration from 1s to 1h, got "500ms"'],
    [{ evaluation_interval: 10 }, 'evaluation_interval: must be a duration from 1s to 1h, got 10: a duration needs a unit (ms, s, m, h, d, w), e.g. 10ms or 10s'],
    [{ span_kinds: 'server' }, 'span_kinds: must be a non-empty list of span kinds (server, client, internal, producer, consumer), got "server"'],
    [{ span_kinds: [] }, 'span_kinds: must be a non-empty list of span kinds (server, client, internal, producer, consumer), got a list'],
    [{ span_kinds: ['server', 'server'] }, 'span_kinds[1]: duplicate "server", already listed at [0]'],
    [{ services: ['shop', ''] }, 'services[1]: must be a non-empty string (service names), got ""'],
    [{ services: ['shop', 'shop'] }, 'services[1]: duplicate "shop", already listed at [0]'],
    [{ min_samples: 9 }, 'min_samples: must be an integer from 10 to 10000, got 9'],
    [{ min_samples: 50.5 }, 'min_samples: must be an integer from 10 to 10000, got 50.5'],
    [{ reservoir_size: 20_000 }, 'reservoir_size: must be an integer from 20 to 10000, got 20000'],
    [{ reservoir_size: 50 }, 'reservoir_size: must be >= min_samples (100), got 50'],
    [{ window: '1m' }, 'window: must be a duration from 2m to 1d, got "1m"'],
    [{ warmup: '2h' }, 'warmup: must be a duration from 0s to 1h, got "2h"'],
    [{ canary_window: '0s' }, 'canary_window: must be a duration from 1s to 1h, got "0s"'],
    [{ max_keys: 1000 }, 'max_keys: must be an integer from 1 to 999, got 1000'],
    [{ max_services: 0 }, 'max_services: must be an integer from 1 to 1000, got 0'],
    [{ max_versions: 11 }, 'max_versions: must be an integer from 2 to 10, got 11'],
    [{ report_improvements: 'yes' }, 'report_improvements: must be true or false, got "yes"'],
    [{ classifier: 'kayenta' }, 'classifier: must be a mapping with tolerance, confidence_level, effect_size_thresholds and critical_thresholds, got "kayenta"'],
    [{ classifier: { tolerance: -0.1 } }, 'classifier.tolerance: must be a number >= 0, e.g. 0.25, got -0.1'],
    [{ classifier: { confidence_level: 1 } }, 'classifier.confidence_level: must be a number > 0 and < 1, e.g. 0.95, got 1'],
    [{ classifier: { effect_size_thresholds: [0.9] } }, 'classifier.effect_size_thresholds: must be [low, high] with 0 < low <= 1 <= high, e.g. [0.9, 1.1], got [0.9]'],
    [{ classifier: { critical_thresholds: [0, 2] } }, 'classifier.critical_thresholds: must be [low, high] with 0 < low <= 1 <= high, e.g. [0.9, 1.1], got [0, 2]'],
    [{ classifier: { critical_thresholds: 'high' } }, 'classifier.critical_thresholds: must be [low, high] with 0 < low <= 1 <= high, e.g. [0.9, 1.1], got "high"'],
    [{ min_sample: 10 }, 'min_sample: unknown key; valid keys: evaluation_interval, span_kinds, services, min_samples, reservoir_size, window, warmup, canary_window, max_keys, max_services, max_versions, report_improvements, classifier'],
  ])('%j', (value, expected) => {
    expect(problems(value)).toEqual([expected]);
  });

  it('checks min_samples against the reservoir size written or the default', () => {
    expect(problems({ min_samples: 1000 })).toEqual([]);
    expect(problems({ min_samples: 1001 })).toEqual(['min_samples: must be <= reservoir_size (1000), got 1001']);
    expect(problems({ min_samples: 300, reservoir_size: 200 })).toEqual(['min_samples: must be <= reservoir_size (200), got 300']);
    // With reservoir_size itself wrong, only that is reported.
    expect(problems({ min_samples: 300, reservoir_size: 'big' })).toEqual(['reservoir_size: must be an integer from 20 to 10000, got "big"']);
  });

  it('accepts empty values for mappings and lists (their defaults)', () => {
    expect(problems({ classifier: null, services: null })).toEqual([]);
    expect(resolveRegressionProcessorSettings({ classifier: {}, services: [] }).spec.services).toEqual([]);
  });

  it('never lets zod wording through, whatever the input', () => {
    const yamlValue = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom(null, true, 0, -1, 0.5, 1, 95, 1e9, '', '5m', '0s', 'server', 'x', [0.9, 1.1], [2, 1]),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom('tolerance', 'confidence_level', 'effect_size_thresholds', 'zzz'), tie('value'), { maxKeys: 3 }),
      ),
    })).value;
    const keys = ['evaluation_interval', 'span_kinds', 'services', 'min_samples', 'reservoir_size', 'window', 'warmup', 'canary_window', 'max_keys', 'max_versions', 'report_improvements', 'classifier'] as const;
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys), yamlValue, { maxKeys: 5 }), (value) => {
        for (const line of problems(value)) {
          expect(line).not.toMatch(/Invalid input|Invalid option|Unrecognized key|Too (small|big)|received|expected/);
        }
      }),
      { numRuns: 300 },
    );
  });
});
