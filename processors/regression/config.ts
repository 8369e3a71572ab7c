import { z } from 'zod';
import type { ComponentFactory } from '../../src/config/component-factory';
import { describeValue } from '../../src/config/describe-value';
import { parseDuration } from '../../src/config/duration';
import { ALWAYS, durationString, emptyMeansDefaults, emptyMeansNone, expects, strictMapping, uniqueStringList } from '../../src/config/schema-helpers';
import { HOUR_MS, MINUTE_MS, SECOND_MS, DAY_MS } from '../../src/slo/durations';
import type { RegressionSpec } from '../../src/regression/regression-spec';
import { SPAN_KIND_NAMES } from '../../src/engine/span-kind-names';
import type { SpanKindName } from '../../src/engine/span-kind-names';

/*
 * The `regression` processor's configuration (deploy regressions):
 *
 *   processors:
 *     regression:
 *       evaluation_interval: 10s
 *       min_samples: 100
 *       classifier: { confidence_level: 0.99 }
 *
 * The YAML shape (snake_case keys, duration strings) is what users write and
 * what the schema validates; resolveRegressionProcessorSettings turns it
 * into a RegressionSpec (milliseconds) for the engine and the classifier's
 * options.
 */

// ---------------------------------------------------------------------------
// YAML shape

export interface RegressionProcessorConfig {
  /** How often due comparisons run (scrapes run them too); a duration from 1s to 1h. */
  evaluation_interval?: string;
  /** Span kinds whose latencies are compared; each key also carries its kind. */
  span_kinds?: SpanKindName[];
  /** service.name values to watch; empty: every service. */
  services?: string[];
  /** Samples each side (baseline and new version) needs before an operation is compared. */
  min_samples?: number;
  /** Latencies kept per operation and version. */
  reservoir_size?: number;
  /** A version's samples cover between half of this and all of it of its most recent traffic. */
  window?: string;
  /** The spans of a new version's first `warmup` are not sampled. */
  warmup?: string;
  /** Two versions that both served spans within this window run concurrently (canary). */
  canary_window?: string;
  /** Keys (service, operation, span kind) tracked; more share one overflow key that is only counted. */
  max_keys?: number;
  /** Services tracked; spans of more are only counted. */
  max_services?: number;
  /** Versions remembered per service. */
  max_versions?: number;
  /** Report significant speed-ups too (Low); false compares in the increase direction only. */
  report_improvements?: boolean;
  classifier?: ClassifierConfig;
}

/** Options of the Mann-Whitney classifier (Kayenta's names, snake_case). */
export interface ClassifierConfig {
  /** How far the confidence interval must clear 0, as a fraction of the estimated shift. */
  tolerance?: number;
  /** Confidence level of the interval of the shift, > 0 and < 1. */
  confidence_level?: number;
  /** [low, high] mean ratios: a regression needs effect size >= high, an improvement <= low. */
  effect_size_thresholds?: [number, number];
  /** [low, high] mean ratios beyond which a regression or improvement is marked critical. */
  critical_thresholds?: [number, number];
}

/** The classifier options the processor passes on (MannWhitneyClassifierOptions' subset). */
export interface RegressionClassifierSettings {
  readonly tolerance: number;
  readonly confidenceLevel: number;
  readonly effectSizeThresholds: readonly [number, number];
  readonly criticalThresholds: readonly [number, number];
}

/** What the processor runs with. */
export interface RegressionProcessorSettings {
  readonly evaluationIntervalMs: number;
  readonly spec: RegressionSpec;
  readonly classifier: RegressionClassifierSettings;
}

// ---------------------------------------------------------------------------
// Defaults: everything a config may leave out is decided here.

/** The processor's defaults; an empty `regression:` means exactly this. */
export function createDefaultConfig(): Required<Omit<RegressionProcessorConfig, 'classifier'>> & { classifier: Required<ClassifierConfig> } {
  return {
    evaluation_interval: '10s',
    span_kinds: ['server'],
    services: [],
    min_samples: 100,
    reservoir_size: 1000,
    window: '30m',
    warmup: '1m',
    canary_window: '1m',
    max_keys: 500,
    max_services: 100,
    max_versions: 3,
    report_improvements: true,
    classifier: {
      // Kayenta's defaults for tolerance and confidence.
      tolerance: 0.25,
      confidence_level: 0.95,
      // Practical significance: a deploy regression is at least 10 % on the mean (Kayenta's own default [1, 1] gates nothing).
      effect_size_thresholds: [0.9, 1.1],
      // Critical when the mean at least doubles, or halves.
      critical_thresholds: [0.5, 2],
    },
  };
}

// ---------------------------------------------------------------------------
// Validation

/** Upper bound on max_keys: two event series per key stay within the OpenTelemetry SDK's default cardinality limit of 2000. */
export const MAX_KEYS_LIMIT = 999;
export const MAX_SERVICES_LIMIT = 1000;
export const MAX_VERSIONS_LIMIT = 10;
export const MIN_SAMPLES_LOWER = 10;
export const RESERVOIR_SIZE_LIMIT = 10_000;

const integerFrom = (low: number, high: number) =>
  z
    .number({ error: expects(`an integer from ${low} to ${high}`) })
    .int()
    .min(low)
    .max(high);

const ratioPairDescription = '[low, high] with 0 < low <= 1 <= high, e.g. [0.9, 1.1]';

/** A [low, high] pair of mean ratios around 1. */
const ratioPair = () =>
  z.unknown().superRefine((value, ctx) => {
    const ok =
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'number' &&
      typeof value[1] === 'number' &&
      value[0] > 0 &&
      value[0] <= 1 &&
      value[1] >= 1 &&
      Number.isFinite(value[1]);
    if (!ok) ctx.addIssue({ code: 'custom', input: value, message: `must be ${ratioPairDescription}, got ${describePair(value)}` });
  }) as unknown as z.ZodType<[number, number]>;

/** `[0.9, 1.1]` for a two-number list (the usual mistake is the order), else as describeValue says. */
function describePair(value: unknown): string {
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return `[${value.join(', ')}]`;
  return describeValue(value);
}

const classifierSchema = strictMapping(
  {
    tolerance: z
      .number({ error: expects('a number >= 0, e.g. 0.25') })
      .min(0)
      .refine((n) => Number.isFinite(n), { error: expects('a number >= 0, e.g. 0.25') })
      .optional(),
    confidence_level: z
      .number({ error: expects('a number > 0 and < 1, e.g. 0.95') })
      .gt(0)
      .lt(1)
      .optional(),
    effect_size_thresholds: ratioPair().optional(),
    critical_thresholds: ratioPair().optional(),
  },
  'a mapping with tolerance, confidence_level, effect_size_thresholds and critical_thresholds',
);

export const regressionProcessorConfigSchema: z.ZodType<RegressionProcessorConfig> = strictMapping(
  {
    evaluation_interval: durationString({ description: 'a duration from 1s to 1h', accepts: (ms) => ms >= SECOND_MS && ms <= HOUR_MS }).optional(),
    span_kinds: z
      .array(z.enum(SPAN_KIND_NAMES, { error: expects(`one of ${SPAN_KIND_NAMES.join(', ')}`) }), {
        error: expects(`a non-empty list of span kinds (${SPAN_KIND_NAMES.join(', ')})`),
      })
      .min(1, { error: expects(`a non-empty list of span kinds (${SPAN_KIND_NAMES.join(', ')})`) })
      .superRefine((kinds, ctx) => {
        kinds.forEach((kind, index) => {
          const first = kinds.indexOf(kind);
          if (first !== index) ctx.addIssue({ code: 'custom', input: kind, path: [index], message: `duplicate ${describeValue(kind)}, already listed at [${first}]` });
        });
      })
      .optional(),
    services: emptyMeansNone(uniqueStringList('service names')).optional(),
    min_samples: integerFrom(MIN_SAMPLES_LOWER, RESERVOIR_SIZE_LIMIT).optional(),
    reservoir_size: integerFrom(20, RESERVOIR_SIZE_LIMIT).optional(),
    window: durationString({ description: 'a duration from 2m to 1d', accepts: (ms) => ms >= 2 * MINUTE_MS && ms <= DAY_MS }).optional(),
    warmup: durationString({ description: 'a duration from 0s to 1h', accepts: (ms) => ms <= HOUR_MS }).optional(),
    canary_window: durationString({ description: 'a duration from 1s to 1h', accepts: (ms) => ms >= SECOND_MS && ms <= HOUR_MS }).optional(),
    max_keys: integerFrom(1, MAX_KEYS_LIMIT).optional(),
    max_services: integerFrom(1, MAX_SERVICES_LIMIT).optional(),
    max_versions: integerFrom(2, MAX_VERSIONS_LIMIT).optional(),
    report_improvements: z.boolean({ error: expects('true or false') }).optional(),
    classifier: emptyMeansDefaults(classifierSchema).optional(),
  },
  'a mapping with evaluation_interval, span_kinds, services, min_samples, reservoir_size, window, warmup, canary_window, max_keys, max_services, max_versions, report_improvements and classifier',
).superRefine((config, ctx) => {
  // Runs even when other parts failed (ALWAYS): compare only what is valid.
  if (typeof config !== 'object' || config === null) return;
  const defaults = createDefaultConfig();
  const min = config.min_samples ?? defaults.min_samples;
  const size = config.reservoir_size ?? defaults.reservoir_size;
  if (!Number.isInteger(min) || !Number.isInteger(size) || min <= size) return;
  // Blame the key that was written: min_samples when it was, else reservoir_size.
  if (config.min_samples !== undefined) {
    ctx.addIssue({ code: 'custom', input: min, path: ['min_samples'], message: `must be <= reservoir_size (${size}), got ${min}` });
  } else {
    ctx.addIssue({ code: 'custom', input: size, path: ['reservoir_size'], message: `must be >= min_samples (${min}), got ${size}` });
  }
}, ALWAYS);

// ---------------------------------------------------------------------------
// Resolution: YAML shape → runtime settings. The input has passed the schema.

export function resolveRegressionProcessorSettings(config: RegressionProcessorConfig): RegressionProcessorSettings {
  const defaults = createDefaultConfig();
  const classifier = { ...defaults.classifier, ...config.classifier };
  return {
    evaluationIntervalMs: parseDuration(config.evaluation_interval ?? defaults.evaluation_interval),
    spec: {
      spanKinds: [...(config.span_kinds ?? defaults.span_kinds)],
      services: [...(config.services ?? defaults.services)],
      minSamples: config.min_samples ?? defaults.min_samples,
      reservoirSize: config.reservoir_size ?? defaults.reservoir_size,
      windowMs: parseDuration(config.window ?? defaults.window),
      warmupMs: parseDuration(config.warmup ?? defaults.warmup),
      canaryWindowMs: parseDuration(config.canary_window ?? defaults.canary_window),
      maxKeys: config.max_keys ?? defaults.max_keys,
      maxServices: config.max_services ?? defaults.max_services,
      maxVersions: config.max_versions ?? defaults.max_versions,
      reportImprovements: config.report_improvements ?? defaults.report_improvements,
    },
    classifier: {
      tolerance: classifier.tolerance,
      confidenceLevel: classifier.confidence_level,
      effectSizeThresholds: [classifier.effect_size_thresholds[0], classifier.effect_size_thresholds[1]],
      criticalThresholds: [classifier.critical_thresholds[0], classifier.critical_thresholds[1]],
    },
  };
}

// ---------------------------------------------------------------------------

export const regressionProcessorFactory: ComponentFactory<RegressionProcessorConfig, RegressionProcessorSettings> = {
  kind: 'processor',
  type: 'regression',
  // The processor reads spans; its metrics leave through the metrics pipeline's exporters.
  signals: ['traces'],
  schema: regressionProcessorConfigSchema,
  createDefaultConfig,
  resolve: (config) => resolveRegressionProcessorSettings(config),
};
