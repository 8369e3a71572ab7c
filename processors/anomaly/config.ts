import { z } from 'zod';
import type { ComponentFactory } from '../../src/config/component-factory';
import { parseComponentId } from '../../src/config/component-id';
import { describeValue } from '../../src/config/describe-value';
import { expects, strictMapping, uniqueNameList } from '../../src/config/schema-helpers';
import { BASELINE_SIGNALS } from '../../src/baseline/baseline-signal';
import type { BaselineSignal } from '../../src/baseline/baseline-signal';

/*
 * The `anomaly` processor's configuration:
 *
 *   processors:
 *     anomaly:
 *       baseline: baseline                 # the baseline processor it reads, listed before it in the same pipeline
 *       signals: [latency_p99, error_ratio, throughput]
 *       max_recent_events: 100
 *       enrich_spans: true
 *
 * The baseline processor owns the model (its detectors decide what is
 * anomalous); this one decides which signals raise events, keeps and
 * reports them, and stamps forwarded spans. That the named baseline exists
 * and precedes it in the pipeline is checked with the other cross-component
 * rules (processors/anomaly/anomaly-links.ts).
 */

export interface AnomalyProcessorConfig {
  /** Id of the `baseline` processor (`baseline` or `baseline/<name>`). */
  baseline?: string;
  /** Signals whose anomalies are reported; each must be one the baseline models. */
  signals?: BaselineSignal[];
  /** Events kept in memory for inspection; the oldest go first. */
  max_recent_events?: number;
  /** Stamp forwarded spans with slowatch.baseline.p99_ms, slowatch.latency.vs_baseline and slowatch.anomaly.active. */
  enrich_spans?: boolean;
}

export interface AnomalyProcessorSettings {
  readonly baselineId: string;
  readonly signals: readonly BaselineSignal[];
  readonly maxRecentEvents: number;
  readonly enrichSpans: boolean;
}

/** The type the `baseline` key must name. */
export const BASELINE_PROCESSOR_TYPE = 'baseline';

/**
 * The defaults; an empty `anomaly:` means exactly this. One latency signal
 * by default: a regression moves every quantile at once, and p99 sees it
 * first, so watching p50..p95 too mostly repeats the same incident.
 */
export function createDefaultConfig(): Required<AnomalyProcessorConfig> {
  return {
    baseline: BASELINE_PROCESSOR_TYPE,
    signals: ['latency_p99', 'error_ratio', 'throughput'],
    max_recent_events: 100,
    enrich_spans: true,
  };
}

export const MAX_RECENT_EVENTS_LIMIT = 10_000;

const baselineIdSchema = z.string({ error: expects('the id of a baseline processor, e.g. baseline or baseline/checkout') }).superRefine((text, ctx) => {
  const parsed = parseComponentId(text);
  if (!parsed.ok || parsed.id.type !== BASELINE_PROCESSOR_TYPE) {
    ctx.addIssue({ code: 'custom', input: text, message: `must be the id of a baseline processor, e.g. baseline or baseline/checkout, got ${describeValue(text)}` });
  }
});

const signalsSchema = uniqueNameList(BASELINE_SIGNALS, 'signals', false);

export const anomalyProcessorConfigSchema: z.ZodType<AnomalyProcessorConfig> = strictMapping(
  {
    baseline: baselineIdSchema.optional(),
    signals: signalsSchema.optional(),
    max_recent_events: z
      .number({ error: expects(`an integer from 1 to ${MAX_RECENT_EVENTS_LIMIT}`) })
      .int()
      .min(1)
      .max(MAX_RECENT_EVENTS_LIMIT)
      .optional(),
    enrich_spans: z.boolean({ error: expects('true or false') }).optional(),
  },
  'a mapping with baseline, signals, max_recent_events and enrich_spans',
);

export function resolveAnomalyProcessorSettings(config: AnomalyProcessorConfig): AnomalyProcessorSettings {
  const defaults = createDefaultConfig();
  const signals = config.signals ?? defaults.signals;
  return {
    baselineId: config.baseline ?? defaults.baseline,
    signals: BASELINE_SIGNALS.filter((s) => signals.includes(s)),
    maxRecentEvents: config.max_recent_events ?? defaults.max_recent_events,
    enrichSpans: config.enrich_spans ?? defaults.enrich_spans,
  };
}

export const anomalyProcessorFactory: ComponentFactory<AnomalyProcessorConfig, AnomalyProcessorSettings> = {
  kind: 'processor',
  type: 'anomaly',
  signals: ['traces'],
  schema: anomalyProcessorConfigSchema,
  createDefaultConfig,
  resolve: (config) => resolveAnomalyProcessorSettings(config),
};
