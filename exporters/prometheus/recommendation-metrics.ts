import type { Meter } from '@opentelemetry/api';
import type { RecommendEngine } from '../../src/recommend/recommend-engine';
import { counter, gauge, registerBatchObservables } from './batch-observables';

/**
 * The recommendation metrics contract, as Prometheus shows it.
 *
 * Cardinality: one info and one impact series per OPEN recommendation, at
 * most `max_recommendations` (≤ 1999; 500 by default) per processor; a
 * resolved recommendation's series disappear. The buffer and analysis
 * counters are per processor id (and reason).
 */
export const RECOMMENDATION_METRIC_NAMES = {
  info: 'slowatch_recommendation_info',
  impact: 'slowatch_recommendation_impact_seconds',
  open: 'slowatch_recommendations_open',
  bufferSpans: 'slowatch_recommend_buffer_spans',
  bufferTraces: 'slowatch_recommend_buffer_traces',
  tracesAnalyzed: 'slowatch_recommend_traces_analyzed_total',
  tracesEvicted: 'slowatch_recommend_traces_evicted_total',
  queueTraces: 'slowatch_recommend_queue_traces',
  tracesDroppedUnanalyzed: 'slowatch_recommend_traces_dropped_unanalyzed_total',
  spansDropped: 'slowatch_recommend_spans_dropped_total',
  analyzerErrors: 'slowatch_recommend_analyzer_errors_total',
} as const;

/**
 * Publishes a recommend engine through an OpenTelemetry Meter, from one batch
 * callback. The info series is 1 for every open recommendation, labelled
 * with id, type, service, operation and severity (join on `id` to the
 * impact); the impact is the time a fix saves per affected request.
 */
export function registerRecommendationMetrics(meter: Meter, engine: RecommendEngine, processor: string): void {
  const specs = {
    info: gauge(RECOMMENDATION_METRIC_NAMES.info, 'Open recommendations: 1 per recommendation, labelled with its id, type, service, operation and severity.'),
    impact: gauge(RECOMMENDATION_METRIC_NAMES.impact, 'Estimated time a fix would save per affected request, per open recommendation.'),
    open: gauge(RECOMMENDATION_METRIC_NAMES.open, 'Open recommendations by type.'),
    bufferSpans: gauge(RECOMMENDATION_METRIC_NAMES.bufferSpans, 'Spans held by the trace assembly buffer, waiting for their trace to be decided.'),
    bufferTraces: gauge(RECOMMENDATION_METRIC_NAMES.bufferTraces, 'Traces held by the trace assembly buffer.'),
    tracesAnalyzed: counter(RECOMMENDATION_METRIC_NAMES.tracesAnalyzed, 'Traces decided and analysed.'),
    tracesEvicted: counter(RECOMMENDATION_METRIC_NAMES.tracesEvicted, 'Traces decided before their decision wait because the buffer was full (their per-trace analysis is skipped).'),
    queueTraces: gauge(RECOMMENDATION_METRIC_NAMES.queueTraces, 'Decided traces waiting for analysis.'),
    tracesDroppedUnanalyzed: counter(
      RECOMMENDATION_METRIC_NAMES.tracesDroppedUnanalyzed,
      'Decided traces dropped unanalysed because the analysis queue was full (analysis falling behind the traffic).',
    ),
    spansDropped: counter(RECOMMENDATION_METRIC_NAMES.spansDropped, 'Spans not assembled: past max_spans_per_trace (trace_cap) or arriving after their trace was decided (late).'),
    analyzerErrors: counter(RECOMMENDATION_METRIC_NAMES.analyzerErrors, 'Failures of an analyzer on one trace or evaluation, by analyzer.'),
  };
  registerBatchObservables(meter, specs, (result, m) => {
    const open = engine.list({ status: 'open' });
    const byType = new Map<string, number>();
    for (const r of open) {
      result.observe(m.info, 1, { id: r.id, type: r.type, service: r.service, operation: r.operation, severity: r.severity });
      result.observe(m.impact, r.impact.perRequestMs / 1000, { id: r.id, type: r.type, service: r.service, operation: r.operation });
      byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
    }
    for (const [type, count] of byType) result.observe(m.open, count, { processor, type });
    const stats = engine.stats();
    result.observe(m.bufferSpans, stats.buffer.spansInFlight, { processor });
    result.observe(m.bufferTraces, stats.buffer.tracesInFlight, { processor });
    result.observe(m.tracesAnalyzed, stats.tracesAnalyzed, { processor });
    result.observe(m.tracesEvicted, stats.buffer.tracesEvictedEarly, { processor });
    result.observe(m.queueTraces, stats.tracesPending, { processor });
    result.observe(m.tracesDroppedUnanalyzed, stats.tracesDroppedUnanalyzed, { processor });
    result.observe(m.spansDropped, stats.buffer.spansDropped.maxSpansPerTrace, { processor, reason: 'trace_cap' });
    result.observe(m.spansDropped, stats.buffer.spansDropped.late, { processor, reason: 'late' });
    for (const [analyzer, count] of Object.entries(stats.analyzerErrors)) result.observe(m.analyzerErrors, count, { processor, analyzer });
  });
}
