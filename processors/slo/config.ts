import path from 'node:path';
import { z } from 'zod';
import type { ComponentFactory, ResolveContext } from '../../src/config/component-factory';
import { ConfigError } from '../../src/config/config-error';
import { describeValue } from '../../src/config/describe-value';
import { parseDuration } from '../../src/config/duration';
import { loadOpenSloFiles } from '../../src/config/openslo/openslo-files';
import { loadSlothFiles } from '../../src/config/sloth/sloth-files';
import {
  ALWAYS,
  durationString,
  emptyMeansDefaults,
  emptyMeansNone,
  expects,
  nonEmptyString,
  strictMapping,
  uniqueStringList,
} from '../../src/config/schema-helpers';
import { SPAN_KIND_NAMES } from '../../src/engine/span-kind-names';
import { googleAlertWindows } from '../../src/slo/alert-windows';
import { isValidTimeZone } from '../../src/slo/calendar';
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS, SLO_WINDOWS } from '../../src/slo/durations';
import type {
  AlertWindow,
  AlertingSpec,
  BudgetingSpec,
  ObjectiveSpec,
  PeriodSpec,
  Severity,
  SliSpec,
  SpanSelector,
} from '../../src/slo/objective';
import { OBJECTIVE_NAME_MAX_LENGTH, OBJECTIVE_NAME_PATTERN, groupByLabelName } from '../../src/slo/objective-name';
import { percentToRatio } from '../../src/slo/percent';

/*
 * The `slo` processor's configuration:
 *
 *   processors:
 *     slo:
 *       evaluation_interval: 10s
 *       objectives:
 *         - name: checkout-availability
 *           sli: { availability: {} }
 *           objective: 99.9
 *
 * The YAML shape (snake_case keys, percentages, duration strings) is what
 * users write and what the schema validates; resolveSloProcessorSettings
 * turns it into ObjectiveSpec (ratios, milliseconds) for the engine.
 *
 * `openslo: [paths or globs]` adds the SLOs of OpenSLO v1 files, read when
 * the config is resolved (src/config/openslo/, docs/openslo.md).
 * `sloth: [paths or globs]` adds the SLOs of Sloth prometheus/v1 files whose
 * SLIs are slowatch plugins (src/config/sloth/, docs/sloth-specs.md).
 */

// ---------------------------------------------------------------------------
// YAML shape

export interface SloProcessorConfig {
  /** How often burn rates are evaluated and alerts decided; a duration >= 1s. */
  evaluation_interval?: string;
  /** Absent or empty, and no `openslo` or `sloth` files: the default objectives (availability 99.9 %, latency 200 ms at 95 %). */
  objectives?: ObjectiveConfig[];
  /**
   * OpenSLO v1 files whose SLOs are added to `objectives`: paths or globs
   * (`*`, `?`, `**`), relative to the config file's directory.
   */
  openslo?: string[];
  /**
   * Sloth `prometheus/v1` files whose SLOs are added after `objectives` and
   * `openslo`: paths or globs, relative to the config file's directory.
   */
  sloth?: string[];
}

export interface ObjectiveConfig {
  /** Unique within the processor; lower-case letters, digits and '-', at most 63 characters. It becomes the `slo` label. */
  name: string;
  /** `service.name` to match; absent: every service, one series each. */
  service?: string;
  selector?: SelectorConfig;
  /** Exactly one key. */
  sli: { availability?: Record<string, never>; latency?: { threshold: string } };
  /** Percent, > 0 and < 100. */
  objective: number;
  /** A rolling duration (1d..90d, whole hours) or a calendar period. */
  window?: string | { calendar: 'month' | 'week'; time_zone?: string };
  budgeting?: 'occurrences' | { timeslices: { slice: string; target: number } };
  /** Attribute keys whose values split the objective into series. */
  group_by?: string[];
  /** Series kept per objective; further label sets share one overflow series. */
  max_series?: number;
  alerting?: AlertingConfig;
  /** No alert fires while the short window holds fewer events than this. */
  min_events?: number;
}

export interface SelectorConfig {
  /** `any` matches every kind. */
  span_kind?: SpanKindConfig;
  /** Operation names; `*` matches any run of characters. Empty: every operation. */
  operations?: string[];
  /** Span or resource attributes that must equal these values (compared as strings). */
  attributes?: Record<string, string | number | boolean>;
}

export type SpanKindConfig = NonNullable<SpanSelector['spanKind']> | 'any';

export interface AlertingConfig {
  page?: boolean;
  ticket?: boolean;
  /** `google` (Sloth's defaults) or an explicit list of multiwindow rules. */
  windows?: 'google' | AlertWindowConfig[];
}

export interface AlertWindowConfig {
  severity: Severity;
  /** One of the windows slowatch keeps: 5m, 30m, 1h, 2h, 6h, 1d, 3d. */
  short_window: string;
  long_window: string;
  /** Share of the period's budget spent within long_window before the rule fires, in percent. */
  error_budget_percent: number;
}

/** What the processor runs with. */
export interface SloProcessorSettings {
  readonly evaluationIntervalMs: number;
  readonly objectives: readonly ObjectiveSpec[];
}

// ---------------------------------------------------------------------------
// Defaults: everything a config may leave out is decided here.

/**
 * The processor's defaults; an empty `slo:` means exactly this. No
 * objectives and no OpenSLO files resolve to the default objectives
 * (createDefaultObjectives), so that `openslo:` alone replaces them.
 */
export function createDefaultConfig(): Required<SloProcessorConfig> {
  return { evaluation_interval: '10s', objectives: [], openslo: [], sloth: [] };
}

/** What runs when neither `objectives` nor `openslo` defines any: availability 99.9 % and latency 200 ms at 95 %. */
export function createDefaultObjectives(): ObjectiveConfig[] {
  return [
    { name: 'availability', sli: { availability: {} }, objective: 99.9 },
    { name: 'latency', sli: { latency: { threshold: '200ms' } }, objective: 95 },
  ];
}

/** Defaults of each objective's optional keys (the default objectives above get them too). */
export function createObjectiveDefaults(): Required<Omit<ObjectiveConfig, 'name' | 'service' | 'sli' | 'objective'>> & {
  selector: Required<SelectorConfig>;
  alerting: Required<AlertingConfig>;
} {
  return {
    selector: { span_kind: 'server', operations: [], attributes: {} },
    window: '30d',
    budgeting: 'occurrences',
    group_by: [],
    max_series: 200,
    alerting: { page: true, ticket: true, windows: 'google' },
    // Sloth parity: alert on any traffic. Raise it for low-traffic services.
    min_events: 0,
  };
}

// ---------------------------------------------------------------------------
// Validation

const NAME_RULE = 'lower-case letters, digits and "-" (not first or last), at most 63 characters';

const SPAN_KINDS = [...SPAN_KIND_NAMES, 'any'] as const satisfies readonly SpanKindConfig[];

const SLI_DESCRIPTION = '{ availability: {} } or { latency: { threshold: <duration> } }';
const WINDOW_DESCRIPTION =
  'a rolling window from 1d to 90d in whole hours (e.g. 30d), or { calendar: month|week, time_zone: <IANA time zone> }';
const BUDGETING_DESCRIPTION = 'occurrences or { timeslices: { slice: <duration>, target: <percent> } }';
const SLO_WINDOW_LABELS = SLO_WINDOWS.map((w) => w.label).join(', ');

const percent = (range: string) => z.number({ error: expects(range, 'a percentage') });

const selectorSchema = strictMapping(
  {
    span_kind: z.enum(SPAN_KINDS, { error: expects(`one of ${SPAN_KINDS.join(', ')}`) }).optional(),
    operations: emptyMeansNone(z.array(nonEmptyString('operation name'), { error: expects('a list of operation names') })).optional(),
    attributes: emptyMeansDefaults(
      z.record(z.string(), z.union([z.string(), z.number(), z.boolean()], { error: expects('a string, number or boolean') }), {
        error: expects('a mapping of attribute names to values'),
      }),
    ).optional(),
  },
  'a mapping with span_kind, operations and attributes',
);

const sliSchema = strictMapping(
  {
    availability: emptyMeansDefaults(strictMapping({}, 'an empty mapping: { availability: {} }')).optional(),
    latency: emptyMeansDefaults(
      strictMapping(
        {
          threshold: durationString({ description: 'a duration > 0', accepts: (ms) => ms > 0 }),
        },
        'a mapping with threshold, e.g. { threshold: 300ms }',
      ),
    ).optional(),
  },
  SLI_DESCRIPTION,
).superRefine((sli, ctx) => {
  // Runs even when other parts failed (ALWAYS), so look at what is there: not a
  // mapping, or only unknown keys, are reported already.
  if (typeof sli !== 'object' || sli === null || Array.isArray(sli)) return;
  const kinds = Object.keys(sli).filter((k) => k === 'availability' || k === 'latency');
  const hasUnknownKeys = ctx.issues.some((issue) => issue.code === 'unrecognized_keys' && (issue.path?.length ?? 0) === 0);
  if (kinds.length === 0 && hasUnknownKeys) return;
  if (kinds.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      input: sli,
      message:
        kinds.length === 0
          ? `must have exactly one key, availability or latency: ${SLI_DESCRIPTION}, got none`
          : `must have exactly one key, availability or latency, got both`,
    });
  }
}, ALWAYS);

const rollingWindowSchema = durationString({
  description: WINDOW_DESCRIPTION,
  accepts: (ms) => ms >= DAY_MS && ms <= 90 * DAY_MS && ms % HOUR_MS === 0,
});

const calendarWindowSchema = strictMapping(
  {
    calendar: z.enum(['month', 'week'], { error: expects('month or week') }),
    time_zone: z
      .string({ error: expects('an IANA time zone such as UTC or Europe/Berlin') })
      .refine((tz) => isValidTimeZone(tz), { error: expects('an IANA time zone this runtime knows, such as UTC or Europe/Berlin') })
      .optional(),
  },
  WINDOW_DESCRIPTION,
);

const timeslicesSchema = strictMapping(
  {
    slice: durationString({
      description: 'a duration from 1s to 5m that divides 1m or is a whole number of minutes (e.g. 10s, 1m, 5m)',
      accepts: (ms) => ms >= SECOND_MS && ms <= 5 * MINUTE_MS && (MINUTE_MS % ms === 0 || ms % MINUTE_MS === 0),
    }),
    target: percent('> 0 and <= 100').gt(0).lte(100),
  },
  'a mapping with slice and target, e.g. { slice: 1m, target: 95 }',
);

const budgetingSchema = z.union(
  [
    z.literal('occurrences', { error: expects(BUDGETING_DESCRIPTION) }),
    strictMapping({ timeslices: emptyMeansDefaults(timeslicesSchema) }, BUDGETING_DESCRIPTION),
  ],
  { error: expects(BUDGETING_DESCRIPTION) },
);

/** Alert rules can only use windows the per-series state keeps (SLO_WINDOWS). */
const sloWindowString = () =>
  durationString({
    description: `one of the windows slowatch keeps: ${SLO_WINDOW_LABELS}`,
    accepts: (ms) => SLO_WINDOWS.some((w) => w.ms === ms),
  });

const alertWindowSchema = strictMapping(
  {
    severity: z.enum(['page', 'ticket'], { error: expects('page or ticket') }),
    short_window: sloWindowString(),
    long_window: sloWindowString(),
    error_budget_percent: percent('> 0 and <= 100').gt(0).lte(100),
  },
  'a mapping with severity, short_window, long_window and error_budget_percent',
).superRefine((rule, ctx) => {
  const short = typeof rule?.short_window === 'string' ? safeDuration(rule.short_window) : undefined;
  const long = typeof rule?.long_window === 'string' ? safeDuration(rule.long_window) : undefined;
  if (short !== undefined && long !== undefined && short >= long) {
    ctx.addIssue({
      code: 'custom',
      input: rule.short_window,
      path: ['short_window'],
      message: `must be shorter than long_window (${rule.long_window}), got ${describeValue(rule.short_window)}`,
    });
  }
}, ALWAYS);

const alertingSchema = strictMapping(
  {
    page: z.boolean({ error: expects('true or false') }).optional(),
    ticket: z.boolean({ error: expects('true or false') }).optional(),
    windows: z
      .union(
        [
          z.literal('google', { error: expects('google or a list of windows') }),
          z.array(alertWindowSchema, { error: expects('google or a list of windows') }).min(1, { error: expects('google or a non-empty list of windows') }),
        ],
        { error: expects('google or a list of { severity, short_window, long_window, error_budget_percent }') },
      )
      .optional(),
  },
  'a mapping with page, ticket and windows',
);

/**
 * Labels the metrics contract sets itself; a group_by key that became one of
 * them (after Prometheus turns dots into underscores) would overwrite it.
 */
const RESERVED_LABELS: ReadonlySet<string> = new Set(['slo', 'service', 'window', 'outcome', 'severity']);


/** Upper bound on max_series: about 25.5 KB a series at 30d, so 10 000 series is about 255 MB per objective. */
export const MAX_SERIES_LIMIT = 10_000;

const groupBySchema = uniqueStringList('attribute keys').superRefine((keys, ctx) => {
  const byLabel = new Map<string, number>();
  keys.forEach((key, index) => {
    const label = groupByLabelName(key);
    if (RESERVED_LABELS.has(label) || label.startsWith('otel_') || label.startsWith('__')) {
      ctx.addIssue({
        code: 'custom',
        input: key,
        path: [index],
        message: `must not be a label slowatch sets itself (${[...RESERVED_LABELS].join(', ')}, otel_*, __*), got ${describeValue(key)}`,
      });
      return;
    }
    const first = byLabel.get(label);
    if (first !== undefined) {
      ctx.addIssue({
        code: 'custom',
        input: key,
        path: [index],
        message: `${describeValue(key)} becomes the same Prometheus label ${label} as group_by[${first}]; group by one of them`,
      });
    } else {
      byLabel.set(label, index);
    }
  });
});

const objectiveSchema = strictMapping(
  {
    name: z.string({ error: expects(NAME_RULE, 'a name of') }).max(OBJECTIVE_NAME_MAX_LENGTH).regex(OBJECTIVE_NAME_PATTERN),
    service: nonEmptyString('a service.name').optional(),
    selector: emptyMeansDefaults(selectorSchema).optional(),
    sli: sliSchema,
    objective: percent('> 0 and < 100').gt(0).lt(100),
    window: z.union([rollingWindowSchema, calendarWindowSchema], { error: expects(WINDOW_DESCRIPTION) }).optional(),
    budgeting: budgetingSchema.optional(),
    group_by: emptyMeansNone(groupBySchema).optional(),
    max_series: z
      .number({ error: expects(`an integer from 1 to ${MAX_SERIES_LIMIT}`) })
      .int()
      .min(1)
      .max(MAX_SERIES_LIMIT)
      .optional(),
    alerting: emptyMeansDefaults(alertingSchema).optional(),
    min_events: z.number({ error: expects('an integer >= 0') }).int().min(0).optional(),
  },
  'a mapping describing one objective (name, sli, objective, …)',
);

const objectiveListSchema = z.array(objectiveSchema, { error: expects('a list of objectives') }).superRefine((objectives, ctx) => {
  const firstIndex = new Map<string, number>();
  (Array.isArray(objectives) ? objectives : []).forEach((objective, index) => {
    const name: unknown = (objective as Partial<ObjectiveConfig> | undefined)?.name;
    if (typeof name !== 'string') return;
    const first = firstIndex.get(name);
    if (first === undefined) firstIndex.set(name, index);
    else {
      ctx.addIssue({ code: 'custom', input: name, path: [index, 'name'], message: `duplicate objective name ${describeValue(name)}, already used by objectives[${first}]` });
    }
  });
}, ALWAYS);

export const sloProcessorConfigSchema: z.ZodType<SloProcessorConfig> = strictMapping(
  {
    evaluation_interval: durationString({ description: 'a duration >= 1s', accepts: (ms) => ms >= SECOND_MS }).optional(),
    objectives: emptyMeansNone(objectiveListSchema).optional(),
    openslo: emptyMeansNone(uniqueStringList('OpenSLO file paths or globs')).optional(),
    sloth: emptyMeansNone(uniqueStringList('Sloth prometheus/v1 file paths or globs')).optional(),
  },
  'a mapping with evaluation_interval, objectives, openslo and sloth',
);

/**
 * 99.9 → 0.999 exactly as if written 0.999 (99.9 / 100 is 0.9990000000000001):
 * shift the decimal exponent instead of dividing.
 */
export { percentToRatio };

function safeDuration(text: string): number | undefined {
  try {
    return parseDuration(text);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// Resolution: YAML shape → runtime settings. The input has passed the schema.

/**
 * @param context where the config file is, for `openslo` and `sloth` paths; without it
 * they are relative to the working directory.
 * @throws ConfigError naming the OpenSLO (or Sloth) file, document and field of every
 * problem in the OpenSLO files; Error for problems with the list itself
 * (a path that names no file), which the loader reports at the processor.
 */
export function resolveSloProcessorSettings(config: SloProcessorConfig, context: Pick<ResolveContext, 'file' | 'configDir'> = {}): SloProcessorSettings {
  const defaults = createDefaultConfig();
  const written = (config.objectives ?? []).map(resolveObjective);
  const openslo = config.openslo ?? [];
  const imported = openslo.length > 0 ? loadOpenSloObjectives(openslo, context) : [];
  const writtenNames = new Set(written.map((o) => o.name));
  const clash = imported.find((o) => writtenNames.has(o.name));
  if (clash !== undefined) {
    throw new Error(`objective ${JSON.stringify(clash.name)} is defined under objectives and by an OpenSLO SLO; objective names become the slo label and must be unique`);
  }
  // A Sloth file always has at least one SLO (parseSlothPluginSpec refuses an empty spec), so a non-empty list defines objectives.
  const sloth = config.sloth ?? [];
  const fromSloth = sloth.length > 0 ? loadSlothObjectives(sloth, context) : [];
  const earlierNames = new Map<string, string>([...written.map((o) => [o.name, 'objectives'] as const), ...imported.map((o) => [o.name, 'an OpenSLO SLO'] as const)]);
  const slothClash = fromSloth.find((o) => earlierNames.has(o.name));
  if (slothClash !== undefined) {
    throw new Error(
      `objective ${JSON.stringify(slothClash.name)} is defined by ${earlierNames.get(slothClash.name)} and by a Sloth SLO (<service>-<name>); objective names become the slo label and must be unique`,
    );
  }
  if (written.length === 0 && openslo.length > 0 && imported.length === 0 && fromSloth.length === 0) {
    throw new Error('openslo: the OpenSLO files define no SLO and objectives is empty; add an SLO document or objectives');
  }
  const all = [...written, ...imported, ...fromSloth];
  const objectives = all.length > 0 ? all : createDefaultObjectives().map(resolveObjective);
  return {
    evaluationIntervalMs: parseDuration(config.evaluation_interval ?? defaults.evaluation_interval),
    objectives,
  };
}

/** The SLOs of the OpenSLO files, with processors.slo's defaults for what OpenSLO does not say. */
function loadOpenSloObjectives(patterns: readonly string[], context: Pick<ResolveContext, 'file' | 'configDir'>): readonly ObjectiveSpec[] {
  const defaults = createObjectiveDefaults();
  const result = loadOpenSloFiles(patterns, {
    baseDir: context.configDir ?? process.cwd(),
    displayBaseDir: context.configDir !== undefined && context.file !== undefined ? path.dirname(context.file) : '.',
    defaultAlerting: resolveAlerting(defaults.alerting),
    defaultPeriod: resolvePeriod(defaults.window),
    maxSeries: defaults.max_series,
    minEvents: defaults.min_events,
  });
  if (result.ok) return result.objectives;
  if (result.listProblems.length > 0) throw new Error(result.listProblems.join('; '));
  throw new ConfigError(result.issues);
}

/** The SLOs of the Sloth files (plugin SLIs), with processors.slo's defaults for selector, max_series and min_events. */
function loadSlothObjectives(patterns: readonly string[], context: Pick<ResolveContext, 'file' | 'configDir'>): readonly ObjectiveSpec[] {
  const defaults = createObjectiveDefaults();
  const result = loadSlothFiles(patterns, {
    baseDir: context.configDir ?? process.cwd(),
    displayBaseDir: context.configDir !== undefined && context.file !== undefined ? path.dirname(context.file) : '.',
    defaultSelector: resolveSelector(defaults.selector),
    maxSeries: defaults.max_series,
    minEvents: defaults.min_events,
  });
  if (result.ok) return result.objectives;
  if (result.listProblems.length > 0) throw new Error(result.listProblems.join('; '));
  throw new ConfigError(result.issues);
}

function resolveObjective(objective: ObjectiveConfig): ObjectiveSpec {
  const defaults = createObjectiveDefaults();
  return {
    name: objective.name,
    ...(objective.service !== undefined && { service: objective.service }),
    selector: resolveSelector({ ...defaults.selector, ...objective.selector }),
    sli: resolveSli(objective.sli),
    objective: percentToRatio(objective.objective),
    period: resolvePeriod(objective.window ?? defaults.window),
    budgeting: resolveBudgeting(objective.budgeting ?? defaults.budgeting),
    groupBy: [...(objective.group_by ?? defaults.group_by)],
    maxSeries: objective.max_series ?? defaults.max_series,
    alerting: resolveAlerting({ ...defaults.alerting, ...objective.alerting }),
    minEvents: objective.min_events ?? defaults.min_events,
  };
}

function resolveSelector(selector: Required<SelectorConfig>): SpanSelector {
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(selector.attributes)) attributes[key] = String(value);
  return {
    ...(selector.span_kind !== 'any' && { spanKind: selector.span_kind }),
    operations: [...selector.operations],
    attributes,
  };
}

function resolveSli(sli: ObjectiveConfig['sli']): SliSpec {
  if (sli.latency !== undefined) return { kind: 'latency', thresholdMs: parseDuration(sli.latency.threshold) };
  return { kind: 'availability' };
}

function resolvePeriod(window: NonNullable<ObjectiveConfig['window']>): PeriodSpec {
  if (typeof window === 'string') return { kind: 'rolling', durationMs: parseDuration(window) };
  return { kind: 'calendar', unit: window.calendar, timeZone: window.time_zone ?? 'UTC' };
}

function resolveBudgeting(budgeting: NonNullable<ObjectiveConfig['budgeting']>): BudgetingSpec {
  if (budgeting === 'occurrences') return { kind: 'occurrences' };
  return { kind: 'timeslices', sliceMs: parseDuration(budgeting.timeslices.slice), target: percentToRatio(budgeting.timeslices.target) };
}

function resolveAlerting(alerting: Required<AlertingConfig>): AlertingSpec {
  return {
    page: alerting.page,
    ticket: alerting.ticket,
    windows: alerting.windows === 'google' ? googleAlertWindows() : resolveAlertWindows(alerting.windows),
  };
}

/**
 * Explicit rules have no `speed` key: within each severity the rule with the
 * shortest long window is the quick one (as 5m/1h is for Google's page
 * rules), the others are slow.
 */
function resolveAlertWindows(rules: readonly AlertWindowConfig[]): readonly AlertWindow[] {
  const windows = rules.map((rule) => ({
    severity: rule.severity,
    shortWindowMs: parseDuration(rule.short_window),
    longWindowMs: parseDuration(rule.long_window),
    errorBudgetPercent: rule.error_budget_percent,
  }));
  const quickest = new Map<Severity, number>();
  for (const w of windows) quickest.set(w.severity, Math.min(quickest.get(w.severity) ?? Infinity, w.longWindowMs));
  const seenQuick = new Set<Severity>();
  return windows.map((w) => {
    const quick = w.longWindowMs === quickest.get(w.severity) && !seenQuick.has(w.severity);
    if (quick) seenQuick.add(w.severity);
    return { ...w, speed: quick ? 'quick' : 'slow' };
  });
}

// ---------------------------------------------------------------------------

export const sloProcessorFactory: ComponentFactory<SloProcessorConfig, SloProcessorSettings> = {
  kind: 'processor',
  type: 'slo',
  // The processor reads spans; the metrics it derives leave through the metrics pipeline's exporters.
  signals: ['traces'],
  schema: sloProcessorConfigSchema,
  createDefaultConfig,
  resolve: (config, context) => resolveSloProcessorSettings(config, context),
};
