import type { Meter } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import type { AnyValue, LogAttributes } from '@opentelemetry/api-logs';
import type { Clock } from '../src/clock';
import type { Logger } from '../src/logging/logger';
import type { AnomalyEvent } from '../src/engine/anomaly-event';
import type { RecommendEngine } from '../src/recommend/recommend-engine';
import { RECOMMENDATION_EVENT_NAME, RECOMMENDATION_SCOPE, recommendationBody } from '../src/recommend/recommendation-log-record';
import type { Recommendation } from '../src/recommend/recommendation';
import type { RecommendationChange } from '../src/recommend/recommendation-store';
import { EVENT_LOOP_BLOCKING } from '../src/recommend/runtime-signals';
import type { ObjectiveSpec } from '../src/slo/objective';
import type { RecommendProcessorSettings } from '../processors/recommend/config';
import { createRecommendEngine } from '../processors/recommend/create-recommend-engine';
import { RecommendLoop } from '../processors/recommend/recommend-loop';
import { RecommendSpanProcessor } from '../processors/recommend/recommend-span-processor';
import { registerRecommendationMetrics } from '../exporters/prometheus/recommendation-metrics';
import { createRecommendationsApi } from '../extensions/web/recommendations-api';
import type { WebRequestHandler } from '../extensions/web/web-route';
import { HotSpotProfiler } from './hot-spot-profiler';
import { RuntimeSampler } from './runtime-sampler';

export interface AgentRecommendOptions {
  readonly settings: RecommendProcessorSettings;
  /** The agent's SLOs: their latency objectives give the error-budget share. */
  readonly objectives: readonly ObjectiveSpec[];
  readonly clock: Clock;
  readonly logger: Logger;
  /** The service the agent's own runtime signals belong to, before any span has told it. */
  readonly defaultService: string;
  /** Every change, besides its log line and log record. */
  readonly onRecommendation?: (change: RecommendationChange) => void;
}

/** The agent's recommend processor, its inputs and outputs, started and stopped together. */
export interface AgentRecommend {
  readonly engine: RecommendEngine;
  readonly spanProcessor: RecommendSpanProcessor;
  /** GET /api/v1/recommendations, to mount on the metrics server or a web server. */
  readonly api: WebRequestHandler;
  /** The profiler, when profiling is enabled. */
  readonly profiler: HotSpotProfiler | undefined;
  /** Call once the SDK has started (the meter exists then). */
  registerMetrics(meter: Meter): void;
  /** The agent's anomaly listener: a latency anomaly starting triggers a profile. */
  onAnomaly(event: AnomalyEvent): void;
  /** Runs one evaluation now (tests, shutdown). */
  evaluate(): void;
  /** Takes one runtime sample now (event-loop delay, GC, heap), as the sampling timer does. */
  sampleRuntime(): void;
  stop(): Promise<void>;
}

/**
 * The agent's half of the recommend processor: the same engine as the
 * gateway's, fed by a SpanProcessor (spans) and a RuntimeSampler (its own
 * event loop, GC and heap, read in-process), evaluated on an unref'd loop.
 * Changes are logged, emitted as OpenTelemetry log records through the
 * global LoggerProvider (exported where OTEL_LOGS_EXPORTER says), and, when
 * event_loop_blocking opens, again while it is open and the loop is blocked (or a latency anomaly starts), a short CPU
 * profile is captured (rate-limited, bounded duty cycle) and its hot
 * functions attached to the evidence.
 */
export function createAgentRecommend(options: AgentRecommendOptions): AgentRecommend {
  const { settings, clock, logger } = options;
  const engine = createRecommendEngine(settings, options.objectives, logger);
  const spanProcessor = new RecommendSpanProcessor({ engine, clock, logger });
  const serviceName = (): string => spanProcessor.lastServiceName ?? options.defaultService;
  const profiling = settings.profiling;
  const profiler = profiling.enabled
    ? new HotSpotProfiler({ durationMs: profiling.durationMs, minIntervalMs: profiling.minIntervalMs, maxDutyCycle: profiling.maxDutyCycle, clock, logger })
    : undefined;
  const otelLogger = logs.getLogger(RECOMMENDATION_SCOPE);

  const profile = (service: string, reason: string): void => {
    if (profiler === undefined) return;
    void profiler.capture(reason).then((functions) => {
      if (functions !== undefined && functions.length > 0) engine.attachProfile(service, functions, reason, clock.now());
    });
  };

  const onChanges = (changes: readonly RecommendationChange[]): void => {
    for (const change of changes) {
      const r = change.recommendation;
      if ((change.kind === 'opened' || change.kind === 'reopened') && r.type === EVENT_LOOP_BLOCKING) profile(r.service, `${EVENT_LOOP_BLOCKING} ${change.kind}`);
      emitLogRecord(otelLogger, change);
      options.onRecommendation?.(change);
    }
  };

  let loop: RecommendLoop | undefined = new RecommendLoop(engine, clock, settings.evaluationIntervalMs, logger, onChanges);
  // A profile is taken when event_loop_blocking opens, and again whenever a sampling interval finds the
  // loop blocked while it is open (the profiler's rate limit and duty cycle bound how often): the capture
  // at the opening can land in a quiet moment and show an idle loop; a later one, taken while the loop is
  // blocked, replaces it.
  const blockingThresholdMs = settings.engine.eventLoopBlocking?.thresholdMs ?? 100;
  const recorder = {
    recordEventLoopDelayP99(service: string, timeMs: number, p99Ms: number): void {
      engine.recordEventLoopDelayP99(service, timeMs, p99Ms);
      if (profiler === undefined || p99Ms <= blockingThresholdMs) return;
      if (engine.list({ service, type: EVENT_LOOP_BLOCKING, status: 'open' }).length > 0) profile(service, `${EVENT_LOOP_BLOCKING}: p99 delay ${Math.round(p99Ms)} ms`);
    },
    recordGcDurationSum: (service: string, timeMs: number, sumSeconds: number, seriesStartMs?: number): void => engine.recordGcDurationSum(service, timeMs, sumSeconds, seriesStartMs),
    recordHeapUsed: (service: string, timeMs: number, bytes: number): void => engine.recordHeapUsed(service, timeMs, bytes),
  };
  let sampler: RuntimeSampler | undefined = new RuntimeSampler({ recorder, service: serviceName, intervalMs: settings.runtimeSamplingIntervalMs, clock, logger });

  return {
    engine,
    spanProcessor,
    profiler,
    api: createRecommendationsApi(() => [engine], { logger }),
    registerMetrics: (meter) => registerRecommendationMetrics(meter, engine, 'recommend'),
    onAnomaly(event) {
      if (!profiling.onLatencyAnomaly || event.edge !== 'start' || !event.signal.startsWith('latency')) return;
      profile(event.key.service, `latency anomaly on ${event.key.operation} (${event.signal})`);
    },
    evaluate: () => loop?.runNow(),
    sampleRuntime: () => sampler?.sample(),
    async stop() {
      loop?.runNow();
      loop?.stop();
      loop = undefined;
      sampler?.stop();
      sampler = undefined;
      await profiler?.shutdown();
    },
  };
}

function logValue(value: string | number | readonly string[]): AnyValue {
  return typeof value === 'string' || typeof value === 'number' ? value : [...value];
}

/** The same record as the gateway's (see recommendation-log-record.ts), through the OpenTelemetry Logs API. */
function emitLogRecord(otelLogger: ReturnType<typeof logs.getLogger>, change: RecommendationChange): void {
  const r: Recommendation = change.recommendation;
  const attributes: LogAttributes = {
    'event.name': RECOMMENDATION_EVENT_NAME,
    'slowatch.recommendation.change': change.kind,
    'slowatch.recommendation.id': r.id,
    'slowatch.recommendation.type': r.type,
    'slowatch.recommendation.title': r.title,
    'slowatch.recommendation.advice': r.advice,
    'slowatch.recommendation.service': r.service,
    'slowatch.recommendation.operation': r.operation,
    'slowatch.recommendation.severity': r.severity,
    'slowatch.recommendation.status': r.status,
    'slowatch.recommendation.effort': r.effort,
    'slowatch.recommendation.risk': r.risk,
    'slowatch.recommendation.priority': r.priority,
    'slowatch.recommendation.occurrences': r.occurrences,
    'slowatch.recommendation.first_seen': new Date(r.firstSeenMs).toISOString(),
    'slowatch.recommendation.last_seen': new Date(r.lastSeenMs).toISOString(),
    'slowatch.recommendation.impact.per_request_ms': r.impact.perRequestMs,
    'slowatch.recommendation.impact.latency_share': r.impact.latencyShare,
    'slowatch.recommendation.impact.affected_share': r.impact.affectedShare,
    'slowatch.recommendation.example_trace_ids': [...r.exampleTraceIds],
    'slowatch.recommendation.evidence': Object.fromEntries(Object.entries(r.evidence).map(([k, v]) => [k, logValue(v)])),
  };
  if (r.impact.errorBudgetShare !== undefined) attributes['slowatch.recommendation.impact.error_budget_share'] = r.impact.errorBudgetShare;
  if (r.impact.slo !== undefined) attributes['slowatch.recommendation.slo'] = r.impact.slo;
  if (r.hotFunctions !== undefined) {
    attributes['slowatch.recommendation.hot_functions'] = r.hotFunctions.map((f) => `${f.function} (${f.file}:${f.line}) ${Math.round(f.selfShare * 100)}%`);
  }
  const severe = change.kind !== 'resolved' && (r.severity === 'critical' || r.severity === 'high');
  otelLogger.emit({
    eventName: RECOMMENDATION_EVENT_NAME,
    severityNumber: severe ? (r.severity === 'critical' ? 17 : 13) : 9,
    severityText: severe ? (r.severity === 'critical' ? 'ERROR' : 'WARN') : 'INFO',
    body: recommendationBody(change.kind, r),
    attributes,
  });
}
