/**
 * slowatch's public API: the SLO engine and its maths for embedding and
 * testing, and the agent for starting it programmatically instead of with
 * `--require slowatch/register`.
 */
export { startAgent } from '../instrumentation/agent';
export type { Agent, AgentOptions } from '../instrumentation/agent';
export { SloEngine } from './engine/slo-engine';
export type { SloEngineOptions } from './engine/slo-engine';
export { SpanSample, OtlpSpanKind, OtlpStatusCode } from './engine/span-sample';
export type { SloAlertEvent } from './engine/slo-alert-event';
export { SloStatus } from './engine/slo-status';
export { OVERFLOW_LABEL_VALUE } from './engine/bounded-series-index';
export { SloSpanProcessor } from '../processors/slo/slo-span-processor';
export type { SloSpanProcessorOptions } from '../processors/slo/slo-span-processor';
export { registerSloMetrics, SLO_METRIC_NAMES } from '../exporters/prometheus/slo-metrics';
export { ManualClock, systemClock } from './clock';
export type { Clock } from './clock';
export { SLO_WINDOWS } from './slo/durations';
export { googleAlertWindows, burnRateFactor } from './slo/alert-windows';
export { errorRatio, burnRate, errorBudgetRemaining, budgetExhaustionSeconds } from './slo/budget';
export type {
  ObjectiveSpec,
  SliSpec,
  PeriodSpec,
  BudgetingSpec,
  AlertWindow,
  AlertingSpec,
  SpanSelector,
  Severity,
} from './slo/objective';
